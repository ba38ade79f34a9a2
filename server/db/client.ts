import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.ts';

export const DB_FILE_NAME = 'switchyard.db';

export function dbFileIn(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}

/** Prisma through the better-sqlite3 driver adapter: no native Prisma engine involved. */
export function createPrismaClient(dbFile: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${dbFile}`, timeout: 5000 }) });
}

export type { PrismaClient };
