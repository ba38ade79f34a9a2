import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (better-sqlite3) and real child processes: one process per file.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI prints each test, so a hang names itself.
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});
