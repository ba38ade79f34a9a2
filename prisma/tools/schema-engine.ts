import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { applyMigrations, readMigrations } from '../../server/db/migrations.ts';

/**
 * Development tooling around Prisma's Wasm schema engine, which runs offline
 * (the native engine `prisma migrate` wants cannot be downloaded everywhere).
 * Used by `npm run db:migration` and by the drift test; never by the server.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const prismaDir = join(here, '..');
export const schemaPath = join(prismaDir, 'schema.prisma');
export const migrationsDir = join(prismaDir, 'migrations');

const require = createRequire(import.meta.url);
let loaded: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;

/** Instantiates the .wasm by hand: Node 20 cannot import it without --experimental-wasm-modules. */
function loadBindings() {
  loaded ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as unknown as { __wbindgen_start(): void };
    bindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return bindings;
  })();
  return loaded;
}

export async function openSchemaEngine(dbFile: string, schema: string): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadBindings();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: `file:${dbFile}` }));
  return SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter);
}

export interface DriftResult {
  /** true when the committed migrations produce exactly what schema.prisma describes */
  inSync: boolean;
  /** the SQL that would bring the migrated database to schema.prisma */
  sql: string;
}

/**
 * Applies the committed migrations to a scratch database with the server's own
 * runner, then asks the engine what SQL separates it from schema.prisma.
 */
export async function checkDrift(
  scratchDbFile: string,
  schema = readFileSync(schemaPath, 'utf8'),
): Promise<DriftResult> {
  applyMigrations(scratchDbFile, readMigrations(migrationsDir));
  const engine = await openSchemaEngine(scratchDbFile, schema);
  try {
    const files = [{ path: 'schema.prisma', content: schema }];
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: prismaDir },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? '';
    return { inSync: result.exitCode === 0, sql };
  } finally {
    engine.free();
  }
}
