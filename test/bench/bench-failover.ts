import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app.ts';
import { packageRoot, parseConfig } from '../../server/config.ts';
import type { PairView } from '../../server/contract/pairs.ts';

/**
 * End-to-end failover time, in its own process: the real server and two real
 * agent processes (db-1 preferred, db-2), thresholds 3 × 1 s, agents beating
 * every 200 ms. Each run SIGKILLs db-1's agent and measures from the last
 * healthy heartbeat the server received from it to the moment db-2's promote
 * hook finished (the hook writes the time). Then db-1 comes back, an operator
 * re-enables auto-failover, the pair fails back, and the next run starts.
 *
 *   bench-failover.ts RUNS   → sends { type: 'failovers', runs: [...] } over IPC and exits
 */

const runs = Number(process.argv[2] ?? 5);
const send = (message: unknown) => process.send?.(message);
const log = (message: string) => send({ type: 'log', message });
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-failover-'));
const agentBin = join(packageRoot, 'agents/bin/switchyard-agent.mjs');
const hookLog = join(dir, 'promote.log');
const N_TIMES_I = 3000;

const parsed = parseConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SWITCHYARD_DATA_DIR: join(dir, 'data'),
  LOG_LEVEL: 'error',
  SWITCHYARD_ADMIN_PASSWORD: 'bench-admin-password',
});
if (!parsed.ok) throw new Error(parsed.message);
// Every run is a failover and a failback: lift the global brake's limit (3 in 10 min) for the benchmark.
const app = await buildApp({ config: parsed.config, ha: { brake: { limit: 1000, windowMs: 600_000 } } });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const actor = { name: 'bench', role: 'admin' as const, ip: '127.0.0.1' };

const role = {
  up: { beats: 3, intervalMs: 1000 },
  down: { beats: 3, intervalMs: 1000 },
  downHeartbeat: { enabled: true, beats: 1, intervalMs: 1000 },
};
const configs: Record<string, string> = {};
for (const name of ['db-1', 'db-2']) {
  const { token } = await app.nodes.create({ name, address: '127.0.0.1', labels: {} });
  const file = join(dir, `${name}.json`);
  // The promote hook appends "<node> <epoch> <ms>" when it has finished.
  const promote = `printf '%s %s %s\\n' ${name} "$SWITCHYARD_EPOCH" "$(date +%s%3N)" >> ${hookLog}`;
  writeFileSync(
    file,
    JSON.stringify({
      server: url,
      token,
      intervalMs: 200,
      stateDir: join(dir, `${name}-state`),
      hooks: { promote: { command: promote, timeoutMs: 5000 }, demote: { command: 'true', timeoutMs: 5000 } },
      reconnect: { baseMs: 100, maxMs: 1000, stableAfterMs: 5000 },
      logLevel: 'error',
    }),
  );
  configs[name] = file;
}
const pair = await app.pairs.link(
  {
    name: 'bench',
    primary: 'db-1',
    secondary: 'db-2',
    weights: { primary: 51, secondary: 49 },
    profile: { active: role, passive: role },
    failbackPolicy: { kind: 'on-re-enable' },
    commandTimeoutMs: 10_000,
    active: 'primary',
  },
  actor,
);
await app.pairs.setAutoFailover(pair.id, { enabled: true }, actor);

const agents: Record<string, ChildProcess> = {};
const startAgent = (name: string) => {
  const child = spawn(process.execPath, [agentBin, '--config', configs[name] ?? ''], { stdio: 'ignore' });
  agents[name] = child;
  // the parent kills it by PID too, should this process die before its finally
  send({ type: 'spawned', pid: child.pid });
  child.once('exit', () => send({ type: 'reaped', pid: child.pid }));
  return child;
};

// The server's own view of db-1's last healthy heartbeat, carried by its Down signal.
let lastDown: { lastHealthyAt: number; firedAt: number } | null = null;
app.haEvents.signal.add((_pairId, signal) => {
  if (signal.type === 'Down' && signal.lastHealthyAt !== null && signal.condition === 'ActiveDown') {
    lastDown = { lastHealthyAt: signal.lastHealthyAt, firedAt: app.clock.now() };
  }
});

async function until(what: string, probe: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const view = (): PairView => {
  const p = app.pairs.get(pair.id);
  if (!p) throw new Error('pair gone');
  return p;
};
const activeName = () => view().members.find((m) => m.nodeId === view().activeNodeId)?.name;
const allUp = () => view().members.every((m) => m.verdict === 'up' && m.stable) && !view().switchover;

const results: { endToEndMs: number; detectionMs: number; switchoverMs: number }[] = [];
try {
  startAgent('db-1');
  startAgent('db-2');
  for (let run = 1; run <= runs; run++) {
    await until('both members Up and stable, db-1 active', () => allUp() && activeName() === 'db-1');
    lastDown = null;
    const epoch = view().epoch + 1;
    agents['db-1']?.kill('SIGKILL');
    await until('the failover to db-2', () => activeName() === 'db-2' && !view().switchover);
    await until('the promote hook line', () => readFileSync(hookLog, 'utf8').includes(`db-2 ${epoch} `), 5000);
    const line = readFileSync(hookLog, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`db-2 ${epoch} `));
    const hookDone = Number(line?.split(' ')[2]);
    const down = lastDown as { lastHealthyAt: number; firedAt: number } | null;
    if (!down) throw new Error('no Down signal seen');
    results.push({
      endToEndMs: hookDone - down.lastHealthyAt,
      detectionMs: down.firedAt - down.lastHealthyAt,
      switchoverMs: hookDone - down.firedAt,
    });
    log(`failover ${run}/${runs}: ${hookDone - down.lastHealthyAt} ms from the last beat to the promote hook's end`);
    // back to normal: db-1 returns (and is demoted), an operator re-enables auto-failover, failback
    startAgent('db-1');
    await until('db-1 Up again', () => allUp());
    await app.pairs.setAutoFailover(pair.id, { enabled: true, reason: 'benchmark run' }, actor);
    await until('the failback to db-1', () => activeName() === 'db-1' && !view().switchover);
  }
  send({ type: 'failovers', goalMs: N_TIMES_I + 200, runs: results });
} finally {
  for (const child of Object.values(agents)) if (child.exitCode === null) child.kill('SIGKILL');
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
