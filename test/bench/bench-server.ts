import { createServer } from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { buildApp } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { generateNodeToken, hashNodeToken } from '../../server/modules/nodes/node-tokens.ts';

/**
 * One side of the benchmark, in its own process: either the real Switchyard
 * app (`switchyard`) or a bare `ws` server that only parses each frame (`bare`).
 * Driven by the parent over IPC; reports memory and event-loop delay.
 *
 *   bench-server.ts MODE COUNT DATA_DIR            first start: enrolls COUNT nodes, listens on a free port
 *   bench-server.ts MODE COUNT DATA_DIR PORT       restart: same nodes, same port; reports how the fleet came back
 */

type Command = { type: 'measure-start' } | { type: 'measure-stop' } | { type: 'memory' } | { type: 'exit' };

const [mode, countText = '0', dataDir = '', portText] = process.argv.slice(2);
const count = Number(countText);
const restartPort = portText === undefined ? undefined : Number(portText);
const send = (message: unknown) => process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// The histogram records the time between timer ticks: resolution + lateness. Lateness is what we report.
const RESOLUTION_MS = 1;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
const lateMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
histogram.enable();
let frames = 0;
let connections = 0;
const connectedAt: number[] = [];
// Garbage-collection pauses explain many of the worst event-loop delays.
let gcMaxMs = 0;
let gcTotalMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMaxMs = Math.max(gcMaxMs, entry.duration);
    gcTotalMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

function connected(delta: number) {
  connections += delta;
  if (delta > 0) connectedAt.push(performance.now());
}

async function startSwitchyard(): Promise<{ port: number; tokens: string[] }> {
  const parsed = parseConfig({ PORT: '0', HOST: '127.0.0.1', SWITCHYARD_DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  if (!parsed.ok) throw new Error(parsed.message);
  // Snapshots every 10 s instead of 30 s, so the measured window surely holds some.
  const app = await buildApp({
    config: parsed.config,
    agents: { snapshotEveryMs: Number(process.env.BENCH_SNAPSHOT_MS ?? 10_000) },
  });
  const tokens = restartPort === undefined ? Array.from({ length: count }, () => generateNodeToken()) : [];
  for (let start = 0; start < tokens.length; start += 500) {
    await app.db.node.createMany({
      data: tokens.slice(start, start + 500).map((token, i) => ({
        name: `bench-${start + i}`,
        address: '127.0.0.1',
        tokenHash: hashNodeToken(token),
        tokenCreatedAt: new Date(),
      })),
    });
  }
  app.ingest.addListener({
    heartbeat: () => {
      frames += 1;
    },
    connection: (_nodeId, isConnected) => connected(isConnected ? 1 : -1),
  });
  await app.listen({ port: restartPort ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, tokens };
}

async function startBare(): Promise<{ port: number; tokens: string[] }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    connected(1);
    socket.on('error', () => {});
    socket.on('message', (data: Buffer) => {
      JSON.parse(data.toString('utf8'));
      frames += 1;
    });
    socket.on('close', () => connected(-1));
  });
  await new Promise<void>((resolve) => server.listen(restartPort ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, tokens: [] };
}

function memory() {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, connections };
}

/** After a restart: how long until the whole fleet is back, how spread out, at what event-loop cost. */
async function watchReconnects(listening: number) {
  while (connectedAt.length < count && performance.now() - listening < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const perSecond = new Map<number, number>();
  for (const at of connectedAt) {
    const second = Math.floor((at - listening) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  send({
    type: 'reconnected',
    back: connectedAt.length,
    seconds: ((connectedAt.at(-1) ?? listening) - listening) / 1000,
    peakPerSecond: Math.max(0, ...perSecond.values()),
    p99Ms: lateMs(histogram.percentile(99)),
    maxMs: lateMs(histogram.max),
  });
}

let windowStarted = 0;
let cpuAtStart = process.cpuUsage();
process.on('message', (command: Command) => {
  if (command.type === 'memory') send({ type: 'memory', ...memory() });
  if (command.type === 'measure-start') {
    histogram.reset();
    frames = 0;
    gcMaxMs = 0;
    gcTotalMs = 0;
    windowStarted = performance.now();
    cpuAtStart = process.cpuUsage();
    send({ type: 'measure-started' });
  }
  if (command.type === 'measure-stop') {
    const seconds = (performance.now() - windowStarted) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    send({
      type: 'measured',
      p50Ms: lateMs(histogram.percentile(50)),
      p99Ms: lateMs(histogram.percentile(99)),
      maxMs: lateMs(histogram.max),
      framesPerSecond: frames / seconds,
      gcMaxMs,
      gcPercent: (gcTotalMs / 1000 / seconds) * 100,
      connections,
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    });
  }
  if (command.type === 'exit') process.exit(0);
});

const started = mode === 'switchyard' ? await startSwitchyard() : await startBare();
const baseline = memory();
const listening = performance.now();
histogram.reset();
send({ type: 'ready', ...started, ...baseline });
if (restartPort !== undefined) void watchReconnects(listening);
