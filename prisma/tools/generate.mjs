// `prisma generate` without network access: the CLI tries to download the
// native schema engine first unless PRISMA_SCHEMA_ENGINE_BINARY names an
// existing file; generating the client never runs that engine.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--config', join(here, '..', 'prisma.config.ts')], {
  stdio: 'inherit',
  env,
});
if (result.status !== 0) {
  console.error('prisma generate failed (exit %s)', result.status ?? result.signal);
  process.exit(1);
}
