/**
 * Benchmark of the pure threshold evaluator at fleet scale (issue 3).
 *   npm run bench:core [-- --nodes 100000 --rounds 5]
 * Prints cost per heartbeat, per expiry, one full evaluation pass, and memory
 * per node, next to a reference measured in the same run: the least an
 * ingest path can do per heartbeat (store the receive time in a Map).
 * Figures, not assertions: the machine is shared and noisy.
 */
import { performance } from 'node:perf_hooks';
import { defaultThresholdProfile } from '../../server/contract/thresholds.ts';
import { createTrack, type NodeTrack, nextDeadline, onBeat, onTime } from '../../server/domain/thresholds/evaluator.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const NODES = arg('nodes', 100_000);
const ROUNDS = arg('rounds', 5);
const profile = defaultThresholdProfile();
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed() {
  gc?.();
  return process.memoryUsage().heapUsed;
}

function nsPer(ms: number, n: number) {
  return (ms * 1e6) / n;
}

// --- reference: a Map of last receive times ------------------------------------------------
const ids = Array.from({ length: NODES }, (_, i) => `node-${i}`);
const lastSeen = new Map<string, number>();
let t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < NODES; i++) lastSeen.set(ids[i] as string, r * 1000 + i);
const referenceMs = performance.now() - t0;

// --- tracks -------------------------------------------------------------------------------
const heapBefore = heapUsed();
const tracks: NodeTrack[] = ids.map((id, i) => createTrack(id, i % 2 === 0 ? 'active' : 'passive', 0));
const heapAfter = heapUsed();

// heartbeats: every node beats once per second for ROUNDS seconds (plus the deadline the I/O layer re-arms)
t0 = performance.now();
let signals = 0;
for (let r = 0; r < ROUNDS; r++) {
  const now = r * 1000;
  for (let i = 0; i < NODES; i++) {
    const step = onBeat(tracks[i] as NodeTrack, { healthy: true }, now + (i % 1000), profile);
    tracks[i] = step.track;
    signals += step.signals.length;
    nextDeadline(step.track, profile);
  }
}
const beatMs = performance.now() - t0;

// a full evaluation pass with nothing due
t0 = performance.now();
const quiet = ROUNDS * 1000 + 2000;
for (let i = 0; i < NODES; i++) onTime(tracks[i] as NodeTrack, quiet, profile);
const quietPassMs = performance.now() - t0;

// expiries: every node went silent; fire each node's deadlines one by one until Down
t0 = performance.now();
let expiries = 0;
for (let i = 0; i < NODES; i++) {
  let track = tracks[i] as NodeTrack;
  for (;;) {
    const at = nextDeadline(track, profile);
    if (at === null) break;
    const step = onTime(track, at, profile);
    track = step.track;
    expiries += 1;
    signals += step.signals.length;
  }
  tracks[i] = track;
}
const expiryMs = performance.now() - t0;

// a full pass where every node's Down is due (a late evaluation of a silent fleet)
const fresh = ids.map((id) => onBeat(createTrack(id, 'active', 0), { healthy: true }, 0, profile).track);
t0 = performance.now();
for (let i = 0; i < NODES; i++) signals += onTime(fresh[i] as NodeTrack, 3_600_000, profile).signals.length;
const duePassMs = performance.now() - t0;

const beats = NODES * ROUNDS;
const rows = [
  ['reference: Map.set of the receive time', `${nsPer(referenceMs, beats).toFixed(0)} ns/heartbeat`, '1.0×'],
  [
    'heartbeat: onBeat + nextDeadline',
    `${nsPer(beatMs, beats).toFixed(0)} ns/heartbeat`,
    `${(beatMs / referenceMs).toFixed(1)}× reference`,
  ],
  ['expiry: onTime at a deadline', `${nsPer(expiryMs, expiries).toFixed(0)} ns/expiry`, `${expiries} expiries`],
  [`full pass over ${NODES} nodes, nothing due`, `${quietPassMs.toFixed(1)} ms`, ''],
  [`full pass over ${NODES} nodes, all Down due`, `${duePassMs.toFixed(1)} ms`, ''],
  ['memory per node track', gc ? `${((heapAfter - heapBefore) / NODES).toFixed(0)} bytes` : 'run with --expose-gc', ''],
];
console.log(
  `\nthreshold evaluator, ${NODES} nodes, ${ROUNDS} beats each, node ${process.version}, ${signals} signals\n`,
);
console.log('| measure | figure | note |\n| --- | --- | --- |');
for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
console.log(
  `\n${JSON.stringify({ nodes: NODES, rounds: ROUNDS, referenceMs, beatMs, expiryMs, expiries, quietPassMs, duePassMs, heapPerNode: gc ? (heapAfter - heapBefore) / NODES : null })}`,
);
