import { type ChildProcess, execSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench` (a script, not a test; figures, not assertions). On loopback,
 * with the clients in their own process:
 *   1. the fleet against the real Switchyard server (nodes linked two by two in
 *      pairs, so every heartbeat goes through the threshold layer) and then the
 *      same fleet against a bare `ws` server that only parses frames: ingest,
 *      CPU per heartbeat, event-loop delay at 50 % and 100 % of the fleet,
 *      memory per agent, and the ratios to the bare server;
 *   2. Down detection error: silenced agents, how late each Down fired after
 *      N × interval from the last healthy heartbeat (and how many early);
 *   3. a reconnect storm: the server killed and restarted, the fleet back;
 *   4. end-to-end failover time with real agent processes, repeated.
 * Prints a markdown table and writes bench-results/bench-<time>.json.
 *
 *   npm run bench [-- --quick] [-- --agents 10000 --seconds 20 --failovers 10]
 * Bounded: at most 20,000 agents, 120 s per window, 10 minutes in all.
 */

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const tsx = join(root, 'node_modules/tsx/dist/esm/index.mjs');
const quick = process.argv.includes('--quick');

function option(name: string, fallback: number, max: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 2 || value > max) {
    console.error(`--${name} must be an integer from 2 to ${max}`);
    process.exit(2);
  }
  return value;
}

const agents = option('agents', quick ? 1000 : 10_000, 20_000);
const seconds = option('seconds', quick ? 3 : 20, 120);
const failovers = option('failovers', quick ? 2 : 10, 50);
const silenced = Math.max(2, Math.round(agents / 100));
const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
if (Number.isFinite(limit) && limit < agents + 500) {
  console.error(`ulimit -n is ${limit}; ${agents} agents need more: run \`ulimit -n 65536\` first`);
  process.exit(2);
}

const children: ChildProcess[] = [];
const overall = setTimeout(() => {
  console.error('benchmark took longer than 10 minutes; stopping');
  stopAll();
  process.exit(1);
}, 600_000);
/** processes the children started themselves (real agents), killed here too should a child die first */
const grandchildren = new Set<number>();
function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of grandchildren) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

function start(script: string, args: string[]): ChildProcess {
  const child = fork(join(here, script), args, {
    execArgv: ['--import', tsx, '--expose-gc', '--max-old-space-size=4096'],
    env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  child.on('message', (message: { type: string; pid?: number }) => {
    if (message.type === 'spawned' && message.pid) grandchildren.add(message.pid);
    if (message.type === 'reaped' && message.pid) grandchildren.delete(message.pid);
  });
  return child;
}

function next<T>(child: ChildProcess, type: string): Promise<T & { type: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === 'log') console.log(`  ${message.message}`);
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T & { type: string });
    };
    const onExit = (code: number | null) => reject(new Error(`${type}: process exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}
interface Window {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  framesPerSecond: number;
  cpuPercent: number;
  cpuMicrosPerFrame: number;
  connections: number;
  gcMaxMs: number;
}
interface Settled {
  seconds: number;
  allUp: boolean;
  signals: { Up: number; Down: number; DownHeartbeat: number };
}
interface Detection {
  count: number;
  early: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Storm {
  back: number;
  seconds: number;
  peakPerSecond: number;
  p99Ms: number;
  maxMs: number;
  /** from the kill to the new process listening */
  downSeconds: number;
  startup: Startup;
}
/** ms since the restarted server process began (bare: only listeningMs) */
interface Startup {
  importedMs: number;
  builtMs: number;
  listeningMs: number;
}

/** The first half of the fleet, rounded to whole pairs. */
const halfOf = (n: number) => Math.floor(n / 4) * 2;

async function fleet(mode: 'switchyard' | 'bare') {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const half = halfOf(agents);
  try {
    console.log(`\n${mode}: ${agents} agents`);
    const server = start('bench-server.ts', [mode, String(agents), dataDir]);
    const ready = await next<{ port: number; tokens: string[] } & Memory>(server, 'ready');
    const clients = start('bench-clients.ts', [`ws://127.0.0.1:${ready.port}/api/v1/agent`, String(agents)]);
    await next(clients, 'ready');

    const settles: Settled[] = [];
    const measure = async (label: string) => {
      // The window sees the steady state: on Switchyard every linked member has earned Up (3 × 2 s)
      // and signals have stopped; on bare ws, beats have had as long to settle into their rhythm.
      if (mode === 'switchyard') {
        server.send({ type: 'settle' });
        const settled = await next<Settled>(server, 'settled');
        settles.push(settled);
        console.log(
          `  ${label}: settled in ${settled.seconds.toFixed(1)} s after linking (${settled.allUp ? 'all Up' : 'NOT all Up'}); signals ${JSON.stringify(settled.signals)}`,
        );
        await sleep(quick ? 0 : 2000);
      } else {
        await sleep(quick ? 2000 : 8000);
      }
      server.send({ type: 'measure-start' });
      await next(server, 'measure-started');
      await sleep(seconds * 1000);
      server.send({ type: 'measure-stop' });
      const w = await next<Window>(server, 'measured');
      console.log(
        `  ${label}: ${w.connections} connected, ${w.framesPerSecond.toFixed(0)} beats/s, loop p99 ${w.p99Ms.toFixed(2)} ms`,
      );
      return w;
    };

    // 50 % of the fleet, then all of it; on Switchyard each half's nodes are linked in pairs once
    // their agents run (as an admin would link a running fleet).
    clients.send({ type: 'start', tokens: ready.tokens, upTo: half });
    await next(clients, 'connected');
    if (mode === 'switchyard') {
      server.send({ type: 'link', from: 0, to: half });
      await next(server, 'linked');
    }
    const atHalf = await measure('50 %');
    clients.send({ type: 'more', upTo: agents });
    const connected = await next<{ open: number; seconds: number }>(clients, 'connected');
    if (mode === 'switchyard') {
      server.send({ type: 'link', from: half, to: agents });
      await next(server, 'linked');
    }
    server.send({ type: 'memory' });
    const memory = await next<Memory>(server, 'memory');
    const atFull = await measure('100 %');

    // Down detection: some agents go silent (hung nodes); each Down must fire N × interval after the last beat.
    let detection: Detection | null = null;
    if (mode === 'switchyard') {
      server.send({ type: 'detect-start' });
      await next(server, 'detect-started');
      const indices = Array.from({ length: silenced }, (_, k) => Math.floor((k * agents) / silenced));
      clients.send({ type: 'silence', indices });
      await next(clients, 'silenced');
      await sleep(quick ? 4000 + 1000 : 10_000 + 4000); // Down after 5 × 2 s (--quick: 2 × 2 s), plus margin
      server.send({ type: 'detect-stop' });
      detection = await next<Detection>(server, 'detected');
      console.log(
        `  detection: ${detection.count} Down signals, p99 ${detection.p99Ms} ms late, ${detection.early} early`,
      );
    }

    // A crash and a restart on the same port: the fleet comes back on its own backoff (not with --quick:
    // the agents' backoff makes it last longer than the rest of a quick run).
    let storm: Storm | null = null;
    if (quick) {
      clients.kill('SIGKILL');
      server.send({ type: 'exit' });
      await new Promise((resolve) => server.once('exit', resolve));
    } else {
      // The agents' backoff grows while the server is down, so how long it takes to start shapes the storm.
      const killedAt = performance.now();
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      const restarted = start('bench-server.ts', [mode, String(agents), dataDir, String(ready.port)]);
      const { startup } = await next<{ startup: Startup }>(restarted, 'ready');
      const downSeconds = (performance.now() - killedAt) / 1000;
      const reconnected = await next<Omit<Storm, 'downSeconds'>>(restarted, 'reconnected');
      storm = { ...reconnected, downSeconds, startup };
      const s1 = (ms: number) => (ms / 1000).toFixed(1);
      const phases =
        mode === 'switchyard'
          ? `code loaded at ${s1(startup.importedMs)} s, app built at ${s1(startup.builtMs)} s, `
          : '';
      console.log(
        `  reconnect storm: server down ${downSeconds.toFixed(1)} s (${phases}listening ${s1(startup.listeningMs)} s ` +
          `after its process began), then ${storm.back} back in ${storm.seconds.toFixed(1)} s`,
      );
      clients.kill('SIGKILL');
      restarted.send({ type: 'exit' });
      await new Promise((resolve) => restarted.once('exit', resolve));
    }
    return {
      mode,
      connected: connected.open,
      memoryPerAgentKb: (memory.heapUsed + memory.external - ready.heapUsed - ready.external) / 1024 / connected.open,
      rssPerAgentKb: (memory.rss - ready.rss) / 1024 / connected.open,
      atHalf,
      atFull,
      detection,
      storm,
      settles,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

try {
  const startedAt = new Date();
  console.log(
    `benchmark${quick ? ' (quick)' : ''}: ${agents} agents at 1 heartbeat/s, ${seconds} s windows, ${failovers} failovers; ` +
      `${cpus().length} cores, node ${process.version}`,
  );
  const ours = await fleet('switchyard');
  const bare = await fleet('bare');

  console.log(`\nfailover end to end (real agent processes), ${failovers} runs`);
  const failoverProcess = start('bench-failover.ts', [String(failovers)]);
  const fo = await next<{ goalMs: number; runs: { endToEndMs: number; detectionMs: number; switchoverMs: number }[] }>(
    failoverProcess,
    'failovers',
  );
  const e2e = fo.runs.map((r) => r.endToEndMs);

  const f = (n: number, d = 1) => n.toFixed(d);
  const ratio = (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(2)}` : 'n/a');
  const rows: [string, string, string, string, string][] = [
    [
      'heartbeats ingested per second (100 %)',
      f(ours.atFull.framesPerSecond, 0),
      f(bare.atFull.framesPerSecond, 0),
      `${f((ours.atFull.framesPerSecond / bare.atFull.framesPerSecond) * 100, 0)} %`,
      '≥ 80 % of bare',
    ],
    [
      'server CPU per heartbeat',
      `${f(ours.atFull.cpuMicrosPerFrame)} µs`,
      `${f(bare.atFull.cpuMicrosPerFrame)} µs`,
      ratio(ours.atFull.cpuMicrosPerFrame, bare.atFull.cpuMicrosPerFrame),
      '',
    ],
    [
      'server CPU (100 %)',
      `${f(ours.atFull.cpuPercent, 0)} %`,
      `${f(bare.atFull.cpuPercent, 0)} %`,
      ratio(ours.atFull.cpuPercent, bare.atFull.cpuPercent),
      '',
    ],
    [
      'event-loop delay p50 / p99 / max at 50 %',
      `${f(ours.atHalf.p50Ms, 2)} / ${f(ours.atHalf.p99Ms, 2)} / ${f(ours.atHalf.maxMs)} ms`,
      `${f(bare.atHalf.p50Ms, 2)} / ${f(bare.atHalf.p99Ms, 2)} / ${f(bare.atHalf.maxMs)} ms`,
      ratio(ours.atHalf.p99Ms, bare.atHalf.p99Ms),
      '',
    ],
    [
      'event-loop delay p50 / p99 / max at 100 %',
      `${f(ours.atFull.p50Ms, 2)} / ${f(ours.atFull.p99Ms, 2)} / ${f(ours.atFull.maxMs)} ms`,
      `${f(bare.atFull.p50Ms, 2)} / ${f(bare.atFull.p99Ms, 2)} / ${f(bare.atFull.maxMs)} ms`,
      ratio(ours.atFull.p99Ms, bare.atFull.p99Ms),
      'p99 ≤ 20 ms',
    ],
    [
      'memory (heap + external) per agent',
      `${f(ours.memoryPerAgentKb)} KB`,
      `${f(bare.memoryPerAgentKb)} KB`,
      ratio(ours.memoryPerAgentKb, bare.memoryPerAgentKb),
      '≤ 16 KB',
    ],
    [
      'RSS per agent',
      `${f(ours.rssPerAgentKb)} KB`,
      `${f(bare.rssPerAgentKb)} KB`,
      ratio(ours.rssPerAgentKb, bare.rssPerAgentKb),
      '',
    ],
    [
      `Down detection error p50 / p99 / max (${ours.detection?.count ?? 0} silenced agents)`,
      `${ours.detection?.p50Ms ?? 0} / ${ours.detection?.p99Ms ?? 0} / ${ours.detection?.maxMs ?? 0} ms, ${ours.detection?.early ?? 0} early`,
      '—',
      '',
      'p99 ≤ 20 ms, none early',
    ],
    [
      `linking a running fleet (${halfOf(agents)} + ${agents - halfOf(agents)} nodes): all Up after / DownHeartbeat signals`,
      ours.settles
        .map((x) => `${f(x.seconds)} s / ${x.signals.DownHeartbeat}${x.allUp ? '' : ' (NOT all Up)'}`)
        .join(', '),
      '—',
      '',
      'no DownHeartbeat on a healthy fleet',
    ],
    [
      'whole fleet back after a crash and restart (server down for)',
      ours.storm
        ? `${f(ours.storm.seconds)} s (${ours.storm.back}/${ours.connected}; down ${f(ours.storm.downSeconds)} s)`
        : 'not run with --quick',
      bare.storm
        ? `${f(bare.storm.seconds)} s (${bare.storm.back}/${bare.connected}; down ${f(bare.storm.downSeconds)} s)`
        : '—',
      ours.storm && bare.storm ? ratio(ours.storm.seconds, bare.storm.seconds) : '',
      '',
    ],
    [
      `failover end to end p50 / p99 / max (${e2e.length} runs)`,
      `${f(percentile(e2e, 0.5), 0)} / ${f(percentile(e2e, 0.99), 0)} / ${f(Math.max(...e2e), 0)} ms`,
      '—',
      '',
      `≤ N × interval + 200 ms = ${fo.goalMs} ms`,
    ],
  ];
  const table = [
    `| measure (${agents} agents, ${cpus().length} cores) | Switchyard | bare ws | Switchyard / bare | goal |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log(`\n${table}\n`);
  console.log(
    `failover runs: detection ${fo.runs.map((r) => r.detectionMs).join(', ')} ms; switchover ${fo.runs.map((r) => r.switchoverMs).join(', ')} ms`,
  );
  const outDir = join(root, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt,
        quick,
        agents,
        seconds,
        cores: cpus().length,
        node: process.version,
        switchyard: ours,
        bare,
        failover: fo,
        table,
      },
      null,
      2,
    ),
  );
  console.log(`written ${file}`);
} finally {
  clearTimeout(overall);
  stopAll();
}
