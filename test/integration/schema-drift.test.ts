import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDrift, schemaPath } from '../../prisma/tools/schema-engine.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

// Fails when someone edits prisma/schema.prisma without `npm run db:migration`,
// or edits a migration so that it no longer matches the schema.
describe('schema.prisma and prisma/migrations', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  it('describe the same database', async () => {
    const drift = await checkDrift(join(temp.path, 'committed.db'));
    expect(drift.sql.trim(), 'run `npm run db:migration -- <name>` to create the missing migration').toMatch(
      /^(-- This is an empty migration\.)?$/,
    );
    expect(drift.inSync).toBe(true);
  });

  it('notices a schema change that has no migration, and names the SQL it needs', async () => {
    const changed = readFileSync(schemaPath, 'utf8').replace(
      'model Event {',
      'model DriftProbe {\n  id Int @id\n  label String\n}\n\nmodel Event {',
    );
    const drift = await checkDrift(join(temp.path, 'changed.db'), changed);
    expect(drift.inSync).toBe(false);
    expect(drift.sql).toContain('CREATE TABLE "DriftProbe"');
  });
});
