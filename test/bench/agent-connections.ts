import { type ChildProcess, execSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Benchmark (a script, not a test): can one server process hold 10,000 agent
 * connections at 1 heartbeat/s? Runs the real Switchyard app, then a bare
 * `ws` server that only parses frames, each in its own process, with the
 * clients in another process, on loopback. Prints memory per connection and
 * event-loop delay (p50/p99) for both and their ratio.
 *
 *   npm run bench -- [--connections 10000] [--seconds 30]
 *
 * Each process holds one descriptor per connection: `ulimit -n` must exceed
 * the connection count (raise it with `ulimit -n 65536` first if it does not).
 * Bounded: at most 20,000 connections, 300 s of measurement, 10 min in all.
 */

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '../../node_modules/tsx/dist/esm/index.mjs');

function option(name: string, fallback: number, max: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`--${name} must be an integer from 1 to ${max}`);
    process.exit(2);
  }
  return value;
}

const connections = option('connections', 10_000, 20_000);
const seconds = option('seconds', 30, 300);
const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
if (Number.isFinite(limit) && limit < connections + 500) {
  console.error(`ulimit -n is ${limit}; ${connections} connections need more: run \`ulimit -n 65536\` first`);
  process.exit(2);
}

const children: ChildProcess[] = [];
const overall = setTimeout(() => {
  console.error('benchmark took longer than 10 minutes; stopping');
  stopAll();
  process.exit(1);
}, 600_000);

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

function start(script: string, args: string[]): ChildProcess {
  const child = fork(join(here, script), args, {
    execArgv: ['--import', tsx, '--expose-gc', '--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

function next<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type === 'log') console.log(`  ${(message as unknown as { message: string }).message}`);
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${type}: process exited with ${code}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  connections: number;
}
interface Storm {
  back: number;
  seconds: number;
  peakPerSecond: number;
  p99Ms: number;
  maxMs: number;
}
interface Measured {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  framesPerSecond: number;
  connections: number;
  /** % of one core used by the server process during the window */
  cpuPercent: number;
  gcMaxMs: number;
  gcPercent: number;
}

async function run(mode: 'switchyard' | 'bare') {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    console.log(`\n${mode}: starting the server process`);
    const server = start('bench-server.ts', [mode, String(connections), dataDir]);
    const ready = await next<{ type: string; port: number; tokens: string[] } & Memory>(server, 'ready');
    const before: Memory = ready;

    const clients = start('bench-clients.ts', [`ws://127.0.0.1:${ready.port}/api/v1/agent`, String(connections)]);
    await next(clients, 'ready');
    clients.send({ type: 'start', tokens: ready.tokens });
    const connected = await next<{ type: string; open: number; failed: number; seconds: number }>(clients, 'connected');
    console.log(
      `${mode}: ${connected.open} connected (${connected.failed} failed) in ${connected.seconds.toFixed(1)} s`,
    );

    // Let the beats settle into their 1 s rhythm, then measure.
    await sleep(5000);
    server.send({ type: 'memory' });
    const after = await next<{ type: string } & Memory>(server, 'memory');
    server.send({ type: 'measure-start' });
    await next(server, 'measure-started');
    await sleep(seconds * 1000);
    server.send({ type: 'measure-stop' });
    const measured = await next<{ type: string } & Measured>(server, 'measured');

    // A server restart (here a crash: SIGKILL), then the same server again on the same port with the
    // same nodes: the agents come back on their own backoff, without anyone spreading them.
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    const killedAt = performance.now();
    const restarted = start('bench-server.ts', [mode, String(connections), dataDir, String(ready.port)]);
    await next(restarted, 'ready');
    const downSeconds = (performance.now() - killedAt) / 1000;
    const storm = { ...(await next<{ type: string } & Storm>(restarted, 'reconnected')), downSeconds };

    clients.kill('SIGKILL');
    restarted.send({ type: 'exit' });
    await new Promise((resolve) => restarted.once('exit', resolve));
    return {
      mode,
      connected: connected.open,
      failed: connected.failed,
      connectSeconds: connected.seconds,
      rssPerConnKb: (after.rss - before.rss) / 1024 / connected.open,
      heapPerConnKb: (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / connected.open,
      rssMb: after.rss / 1024 / 1024,
      ...measured,
      storm,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

try {
  console.log(`benchmark: ${connections} agent connections at 1 heartbeat/s, measured for ${seconds} s each`);
  const switchyard = await run('switchyard');
  const bare = await run('bare');
  const rows = [switchyard, bare];
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  console.log(
    '\n| server | connected | beats/s | RSS total | RSS / conn | heap+ext / conn | server CPU | loop p50 | loop p99 | loop max | longest GC | GC time |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.mode} | ${r.connected} | ${fmt(r.framesPerSecond, 0)} | ${fmt(r.rssMb, 0)} MB | ${fmt(r.rssPerConnKb)} KB | ${fmt(r.heapPerConnKb)} KB | ${fmt(r.cpuPercent, 0)} % | ${fmt(r.p50Ms, 2)} ms | ${fmt(r.p99Ms, 2)} ms | ${fmt(r.maxMs, 1)} ms | ${fmt(r.gcMaxMs, 1)} ms | ${fmt(r.gcPercent)} % |`,
    );
  }
  console.log(
    '\nserver killed (SIGKILL) and started again on the same port; agents come back on their own backoff ' +
      '(full jitter, base 1 s, cap 30 s):',
  );
  console.log('| server | down for | back | all back after listen | peak reconnects/s | loop p99 | loop max |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const s = r.storm;
    console.log(
      `| ${r.mode} | ${fmt(s.downSeconds)} s | ${s.back}/${r.connected} | ${fmt(s.seconds)} s | ${s.peakPerSecond} | ${fmt(s.p99Ms, 2)} ms | ${fmt(s.maxMs, 1)} ms |`,
    );
  }
  console.log(
    `\nswitchyard / bare ws: RSS per connection ×${fmt(switchyard.rssPerConnKb / bare.rssPerConnKb, 2)}, ` +
      `heap per connection ×${fmt(switchyard.heapPerConnKb / bare.heapPerConnKb, 2)}, ` +
      `event-loop p99 ×${fmt(switchyard.p99Ms / bare.p99Ms, 2)}`,
  );
} finally {
  clearTimeout(overall);
  stopAll();
}
