import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { buildApp } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { createPairState } from '../../server/domain/ha/pair.ts';
import { generateNodeToken, hashNodeToken } from '../../server/modules/nodes/node-tokens.ts';
import { pairsRepository } from '../../server/modules/pairs/pairs.repository.ts';

/**
 * One side of the benchmark, in its own process: either the real Switchyard
 * app (`switchyard`) or a bare `ws` server that only parses each frame (`bare`).
 * Driven by the parent over IPC; reports memory and event-loop delay.
 *
 *   bench-server.ts MODE COUNT DATA_DIR            first start: enrolls COUNT nodes, listens on a free port
 *   bench-server.ts MODE COUNT DATA_DIR PORT       restart: same nodes, same port; reports how the fleet came back
 */

type Command =
  | { type: 'measure-start' }
  | { type: 'measure-stop' }
  | { type: 'memory' }
  | { type: 'exit' }
  | { type: 'link'; from: number; to: number }
  | { type: 'detect-start' }
  | { type: 'detect-stop' }
  | { type: 'settle' };

/**
 * The pairs' thresholds in the benchmark: agents beat every second, so the
 * intervals are 2 s (two beats per interval, as the README advises); Down
 * after 5 × 2 s = 10 s. Auto-failover stays off: the fleet's clients do not
 * answer commands. Every heartbeat still goes through the threshold layer.
 */
const QUICK = process.env.BENCH_QUICK === '1';
/** --quick earns Up and goes Down after 2 × 2 s: the same path, in less time */
const BEATS = QUICK ? { up: 2, down: 2 } : { up: 3, down: 5 };
const BENCH_ROLE = {
  up: { beats: BEATS.up, intervalMs: 2000 },
  down: { beats: BEATS.down, intervalMs: 2000 },
  downHeartbeat: { enabled: true, beats: 1, intervalMs: 2000 },
};
const BENCH_PROFILE = { active: BENCH_ROLE, passive: BENCH_ROLE };

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

const seenNodes = new Set<string>();
/** `nodeId` when known: an agent that connects twice is back once */
function connected(delta: number, nodeId?: string) {
  connections += delta;
  if (delta <= 0 || (nodeId !== undefined && seenNodes.has(nodeId))) return;
  if (nodeId !== undefined) seenNodes.add(nodeId);
  connectedAt.push(performance.now());
}

let app: Awaited<ReturnType<typeof buildApp>> | undefined;
/** ms since the process started: code loaded, app built (database, pairs loaded, HA manager resumed), listening */
const startup = { importedMs: 0, builtMs: 0, listeningMs: 0 };
const nodeIds: string[] = [];
/** Signals since the last settle: linking a running fleet should bring Up signals and nothing else. */
const signalCounts = { Up: 0, Down: 0, DownHeartbeat: 0 };
let lastSignalAt = 0;
/** Down signals while detecting: how late each fired after its deadline (never early, if all is well) */
let detections: { lateMs: number; early: boolean }[] | null = null;

/** Links nodes [from, to) two by two (bench-0 + bench-1, …) as pairs the HA manager watches. */
async function linkPairs(from: number, to: number) {
  if (!app) return;
  const repository = pairsRepository(app.db);
  for (let i = from; i + 1 < to; i += 2) {
    const a = nodeIds[i];
    const b = nodeIds[i + 1];
    if (!a || !b) continue;
    const state = createPairState({
      pairId: randomUUID(),
      name: `bench-pair-${i / 2}`,
      members: [
        { nodeId: a, name: `bench-${i}`, weight: 51 },
        { nodeId: b, name: `bench-${i + 1}`, weight: 49 },
      ],
    });
    await repository.create(state, BENCH_PROFILE);
    app.ha.addPair(state, BENCH_PROFILE);
    // One pair at a time, as an admin's requests come: Prisma over better-sqlite3 resolves without
    // giving the event loop a turn, so without this the loop would link thousands of pairs deaf.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function startSwitchyard(): Promise<{ port: number; tokens: string[] }> {
  const parsed = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHYARD_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    SWITCHYARD_ADMIN_PASSWORD: 'bench-admin-password',
  });
  if (!parsed.ok) throw new Error(parsed.message);
  startup.importedMs = performance.now();
  // Snapshots every 10 s instead of 30 s, so the measured window surely holds some.
  app = await buildApp({
    config: parsed.config,
    agents: { snapshotEveryMs: Number(process.env.BENCH_SNAPSHOT_MS ?? 10_000) },
  });
  const built = app;
  startup.builtMs = performance.now();
  const tokens = restartPort === undefined ? Array.from({ length: count }, () => generateNodeToken()) : [];
  for (let start = 0; start < tokens.length; start += 500) {
    await built.db.node.createMany({
      data: tokens.slice(start, start + 500).map((token, i) => ({
        name: `bench-${start + i}`,
        address: '127.0.0.1',
        tokenHash: hashNodeToken(token),
        tokenCreatedAt: new Date(),
      })),
    });
  }
  // the benchmark's own bookkeeping, for linking; not part of a restart's downtime
  if (restartPort === undefined) {
    for (const row of await built.db.node.findMany({ select: { id: true, name: true } })) {
      nodeIds[Number(row.name.replace('bench-', ''))] = row.id;
    }
  }
  built.haEvents.signal.add((_pairId, signal) => {
    signalCounts[signal.type] += 1;
    lastSignalAt = performance.now();
    if (!detections || signal.type !== 'Down') return;
    const now = built.clock.now();
    detections.push({ lateMs: now - signal.at, early: now < signal.at });
  });
  built.ingest.addListener({
    heartbeat: () => {
      frames += 1;
    },
    connection: (nodeId, isConnected) => connected(isConnected ? 1 : -1, nodeId),
  });
  await built.listen({ port: restartPort ?? 0, host: '127.0.0.1' });
  const address = built.server.address();
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

// BENCH_CPU_PROFILE=file: a CPU profile of each measured window, for finding what costs (off by default).
const inspector = new Session();
let profiling = false;
async function startProfile() {
  if (!profiling) inspector.connect();
  profiling = true;
  await new Promise((r) => inspector.post('Profiler.enable', () => inspector.post('Profiler.start', r)));
}
async function stopProfile(file: string) {
  inspector.post('Profiler.stop', (_error, result) => {
    writeFileSync(`${file}.${mode}.${Date.now()}.cpuprofile`, JSON.stringify((result as { profile: unknown }).profile));
  });
}

/**
 * Waits until every linked member is Up and stable and no signal has fired
 * for 3 s (1 s with --quick; at most 90 s): the measured window then sees the
 * steady state.
 */
async function settle() {
  const began = performance.now();
  const allUp = () =>
    (app?.ha.pairIds() ?? []).every((pairId) =>
      (app?.ha.pair(pairId)?.members ?? []).every((m) => {
        const track = app?.ha.track(m.nodeId);
        return track?.verdict === 'up' && track.stable;
      }),
    );
  const quietMs = QUICK ? 1000 : 3000;
  while (performance.now() - began < 90_000 && !(allUp() && performance.now() - lastSignalAt > quietMs)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await app?.ha.idle();
  send({ type: 'settled', seconds: (performance.now() - began) / 1000, allUp: allUp(), signals: { ...signalCounts } });
  signalCounts.Up = 0;
  signalCounts.Down = 0;
  signalCounts.DownHeartbeat = 0;
}

let windowStarted = 0;
let cpuAtStart = process.cpuUsage();
process.on('message', (command: Command) => {
  if (command.type === 'memory') send({ type: 'memory', ...memory() });
  if (command.type === 'measure-start' && process.env.BENCH_CPU_PROFILE) void startProfile();
  if (command.type === 'measure-stop' && process.env.BENCH_CPU_PROFILE) void stopProfile(process.env.BENCH_CPU_PROFILE);
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
      cpuMicrosPerFrame: frames > 0 ? (cpu.user + cpu.system) / frames : 0,
      gcMaxMs,
      gcPercent: (gcTotalMs / 1000 / seconds) * 100,
      connections,
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    });
  }
  if (command.type === 'settle') void settle();
  if (command.type === 'link') void linkPairs(command.from, command.to).then(() => send({ type: 'linked' }));
  if (command.type === 'detect-start') {
    detections = [];
    send({ type: 'detect-started' });
  }
  if (command.type === 'detect-stop') {
    const found = detections ?? [];
    detections = null;
    const late = found.map((d) => d.lateMs).sort((a, b) => a - b);
    const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0;
    send({
      type: 'detected',
      count: found.length,
      early: found.filter((d) => d.early).length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: late.at(-1) ?? 0,
    });
  }
  if (command.type === 'exit') process.exit(0);
});

const started = mode === 'switchyard' ? await startSwitchyard() : await startBare();
const baseline = memory();
const listening = performance.now();
startup.listeningMs = listening;
histogram.reset();
send({ type: 'ready', ...started, ...baseline, startup });
if (restartPort !== undefined) void watchReconnects(listening);
