import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../server/config.ts';
import { applyMigrations, MigrationError, readMigrations } from '../../server/db/migrations.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const committed = join(packageRoot, 'prisma/migrations');

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
      .map((row) => row.name)
      .filter((name) => !name.startsWith('sqlite_'));
  } finally {
    db.close();
  }
}

describe('applyMigrations', () => {
  let temp = makeTempDir();
  afterEach(() => {
    temp.cleanup();
    temp = makeTempDir();
  });

  it('creates every table on an empty database, in WAL mode, and records each migration', () => {
    const file = join(temp.path, 'fresh.db');
    const migrations = readMigrations(committed);
    expect(migrations.length).toBeGreaterThan(0);

    const report = applyMigrations(file, migrations);

    expect(report).toEqual({ applied: migrations.map((m) => m.name), alreadyApplied: 0 });
    expect(tables(file)).toEqual(expect.arrayContaining(['Event', '_prisma_migrations']));
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT migration_name, checksum, finished_at FROM _prisma_migrations').all() as {
      migration_name: string;
      checksum: string;
      finished_at: string | null;
    }[];
    db.close();
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(rows.map((r) => r.checksum)).toEqual(migrations.map((m) => m.checksum));
  });

  it('applies nothing the second time', () => {
    const file = join(temp.path, 'twice.db');
    const migrations = readMigrations(committed);
    applyMigrations(file, migrations);
    expect(applyMigrations(file, migrations)).toEqual({ applied: [], alreadyApplied: migrations.length });
  });

  it('applies only the new migration when one is added', () => {
    const dir = join(temp.path, 'migrations');
    cpSync(committed, dir, { recursive: true });
    const file = join(temp.path, 'grow.db');
    applyMigrations(file, readMigrations(dir));
    cpSync(join(dir, readMigrations(dir)[0]?.name ?? ''), join(dir, '99999999999999_extra'), { recursive: true });
    writeFileSync(
      join(dir, '99999999999999_extra', 'migration.sql'),
      'CREATE TABLE "Extra" ("id" INTEGER PRIMARY KEY);',
    );

    const report = applyMigrations(file, readMigrations(dir));

    expect(report.applied).toEqual(['99999999999999_extra']);
    expect(tables(file)).toContain('Extra');
  });

  it('leaves nothing behind when a migration fails, and names it', () => {
    const dir = join(temp.path, 'migrations');
    cpSync(committed, dir, { recursive: true });
    cpSync(join(dir, readMigrations(dir)[0]?.name ?? ''), join(dir, '99999999999999_broken'), { recursive: true });
    writeFileSync(join(dir, '99999999999999_broken', 'migration.sql'), 'CREATE TABLE "Half" ("id" INTEGER);\nNOT SQL;');
    const file = join(temp.path, 'broken.db');

    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(/migration 99999999999999_broken failed/);
    expect(tables(file)).not.toContain('Half');
  });

  it('refuses a migration edited after it was applied', () => {
    const dir = join(temp.path, 'migrations');
    cpSync(committed, dir, { recursive: true });
    const file = join(temp.path, 'edited.db');
    applyMigrations(file, readMigrations(dir));
    const first = readMigrations(dir)[0]?.name ?? '';
    const path = join(dir, first, 'migration.sql');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n-- edited\n`);

    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(MigrationError);
    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(/was changed after it was applied/);
  });

  it('refuses a database migrated by a newer version', () => {
    const dir = join(temp.path, 'migrations');
    cpSync(committed, dir, { recursive: true });
    cpSync(join(dir, readMigrations(dir)[0]?.name ?? ''), join(dir, '99999999999999_future'), { recursive: true });
    writeFileSync(join(dir, '99999999999999_future', 'migration.sql'), 'CREATE TABLE "Future" ("id" INTEGER);');
    const file = join(temp.path, 'future.db');
    applyMigrations(file, readMigrations(dir));

    expect(() => applyMigrations(file, readMigrations(committed))).toThrow(
      /has migration 99999999999999_future that this version of Switchyard does not know/,
    );
  });

  it('names the folder when there are no migrations', () => {
    expect(() => readMigrations(join(temp.path, 'nowhere'))).toThrow(/migrations folder not found/);
  });
});
