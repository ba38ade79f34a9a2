import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { packageRoot } from '../config.ts';
import { createPrismaClient, dbFileIn, type PrismaClient } from '../db/client.ts';
import { applyMigrations, readMigrations } from '../db/migrations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: PrismaClient;
  }
}

export interface DatabaseOptions {
  dataDir: string;
  migrationsDir?: string;
}

/** Creates the data folder and the SQLite file on first start, migrates, and closes on shutdown. */
export default fp<DatabaseOptions>(
  async function databasePlugin(app: FastifyInstance, options) {
    mkdirSync(options.dataDir, { recursive: true });
    const dbFile = dbFileIn(options.dataDir);
    const migrations = readMigrations(options.migrationsDir ?? join(packageRoot, 'prisma/migrations'));
    const report = applyMigrations(dbFile, migrations);
    app.log.info({ dbFile, applied: report.applied, alreadyApplied: report.alreadyApplied }, 'database ready');

    const db = createPrismaClient(dbFile);
    await db.$connect();
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await db.$disconnect();
      app.log.info({ dbFile }, 'database closed');
    });
  },
  { name: 'database' },
);
