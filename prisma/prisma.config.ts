import { defineConfig } from 'prisma/config';

// Paths are relative to this file. Only `prisma generate` uses this config:
// migrations are applied by the server itself (server/plugins/migrations.ts)
// and created with the Wasm schema engine (prisma/tools/new-migration.ts),
// because Prisma's native engines cannot be downloaded on every machine.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
});
