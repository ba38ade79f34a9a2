import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Applies the committed SQL migrations under `prisma/migrations/` to a SQLite
 * file. It writes the same `_prisma_migrations` bookkeeping as `prisma migrate
 * deploy`, so either tool can take over a database the other started, but it
 * needs no Prisma engine: every machine can run it, offline included.
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const BOOKKEEPING_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export function readMigrations(migrationsDir: string): Migration[] {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`migrations folder not found: ${migrationsDir}`);
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

/** Opens the file in WAL mode (persisted in the file), then applies what is missing. */
export function applyMigrations(dbFile: string, migrations: Migration[]): MigrationReport {
  const db = new Database(dbFile);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(BOOKKEEPING_DDL);
    const applied = db
      .prepare(
        'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )
      .all() as AppliedRow[];
    const appliedByName = new Map(applied.map((row) => [row.migration_name, row.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = applied.filter((row) => !known.has(row.migration_name));
    if (unknown.length > 0) {
      // A newer Switchyard migrated this file: running older code on it could corrupt it.
      throw new MigrationError(
        `database ${dbFile} has migration ${unknown[0]?.migration_name} that this version of Switchyard does not know; run the newer version or restore a backup`,
      );
    }
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      const checksum = appliedByName.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.name} was changed after it was applied to ${dbFile}; committed migrations must never be edited`,
          );
        }
        report.alreadyApplied += 1;
        continue;
      }
      applyOne(db, migration);
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    db.close();
  }
}

function applyOne(db: Database.Database, migration: Migration): void {
  const started = new Date().toISOString();
  // SQLite DDL is transactional: a failing migration leaves nothing behind.
  const run = db.transaction(() => {
    db.exec(migration.sql);
    db.prepare(
      'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
    ).run(randomUUID(), migration.checksum, new Date().toISOString(), migration.name, started);
  });
  try {
    run.immediate();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${migration.name} failed: ${reason}`);
  }
}
