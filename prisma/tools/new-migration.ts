import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDrift, migrationsDir } from './schema-engine.ts';

// npm run db:migration -- <name>: writes prisma/migrations/<timestamp>_<name>/migration.sql
// holding the SQL from the committed migrations to the current schema.prisma.
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (name: lower-case letters, digits and _)');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-migration-'));
try {
  const drift = await checkDrift(join(scratch, 'scratch.db'));
  if (drift.inSync) {
    console.log('schema.prisma matches the committed migrations: nothing to create');
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), drift.sql);
  console.log(`created ${dir}/migration.sql; review it, then run npm run db:generate`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
