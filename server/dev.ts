import { type ChildProcess, spawn } from 'node:child_process';
import { packageRoot } from './config.ts';

// `npm run dev`: the API with reload (tsx watch) and Vite's dev server, which
// proxies /api, /healthz and /readyz to it. Ctrl-C stops both.
const apiPort = process.env.SWITCHYARD_DEV_API_PORT ?? '8080';
const bin = (name: string) => `${packageRoot}/node_modules/.bin/${name}`;

const children: ChildProcess[] = [
  spawn(bin('tsx'), ['watch', 'server/main.ts'], {
    cwd: packageRoot,
    stdio: 'inherit',
    env: { ...process.env, PORT: apiPort, HOST: process.env.HOST ?? '127.0.0.1' },
  }),
  spawn(bin('vite'), ['--config', 'web/vite.config.ts'], {
    cwd: packageRoot,
    stdio: 'inherit',
    env: { ...process.env, SWITCHYARD_DEV_API_PORT: apiPort },
  }),
];

let exiting = false;
function stopAll(code: number) {
  if (exiting) return;
  exiting = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
for (const child of children) child.on('exit', (code) => stopAll(code ?? 1));
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
