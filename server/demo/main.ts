import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_SERVER } from '../cli/args.ts';
import { ApiError, UnreachableError } from '../cli/errors.ts';
import { apiClient } from '../cli/http.ts';
import { eventPage } from '../cli/responses.ts';
import { parseThresholds } from '../cli/values.ts';
import { packageRoot, parseConfig } from '../config.ts';
import { nodeWithToken } from '../contract/nodes.ts';
import { outcomeView, pairView } from '../contract/pairs.ts';
import { demoAgentConfig } from './demo-agents.ts';
import {
  DEMO_NODES,
  DemoFolderError,
  type DemoPaths,
  type DemoState,
  demoPaths,
  isDemoNode,
  readDemoState,
  resetDemoFolder,
  writeDemoState,
} from './demo-folder.ts';
import { banner } from './instructions.ts';
import { eventLine, type PairSnapshot, pairChanges, snapshotOf, stamp } from './narrator.ts';
import { isRunning, spawnDetached, stopProcess } from './processes.ts';

// `npm run demo`: the server on the embedded default, two real agents, one pair with fast
// thresholds and auto-failover on; `npm run demo -- restart-agent db-1` brings an agent back.

const USAGE = `usage: npm run demo                          start the server, agents db-1 and db-2, and the pair "demo"
       npm run demo -- restart-agent <node>   start a demo agent again (after kill -9), node db-1 or db-2

environment: PORT (default 8080), HOST (default 127.0.0.1), SWITCHYARD_DEMO_DIR (default ./data/demo),
             LOG_LEVEL of the server log (default info)
`;

const PAIR = 'demo';
const DEMO_MARKER = 'demo/main.ts';
const agentBin = join(packageRoot, 'agents/bin/switchyard-agent.mjs');
const env = process.env;
const dirFromEnv = env.SWITCHYARD_DEMO_DIR?.trim() || null;
const paths = demoPaths(resolve(dirFromEnv ?? 'data/demo'));
const agentEnv = { PATH: env.PATH ?? '/usr/bin:/bin' };

const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string, code = 1): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
}

function startAgent(p: DemoPaths, node: string) {
  return spawnDetached([agentBin, '--config', p.agentConfig(node)], p.agentLog(node), agentEnv);
}

/** The bytes appended to a file since `offset`. */
function readFrom(file: string, offset: number): { text: string; offset: number } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { text: '', offset };
  }
  if (size <= offset) return { text: '', offset };
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return { text: buffer.toString('utf8'), offset: size };
}

async function start(): Promise<void> {
  const parsed = parseConfig({
    PORT: env.PORT ?? '8080',
    HOST: env.HOST || '127.0.0.1',
    SWITCHYARD_DATA_DIR: paths.dir,
    SWITCHYARD_ADMIN_PASSWORD: env.SWITCHYARD_ADMIN_PASSWORD,
    SWITCHYARD_WEB_DIR: env.SWITCHYARD_WEB_DIR,
    LOG_LEVEL: env.LOG_LEVEL,
  });
  if (!parsed.ok) fail(parsed.message, 2);
  const { config } = parsed;
  try {
    await resetDemoFolder(paths, { isRunning, stop: stopProcess }, DEMO_MARKER);
  } catch (error) {
    if (error instanceof DemoFolderError) fail(error.message);
    throw error;
  }

  // Imported here so that `restart-agent` does not load the server, Prisma and SQLite.
  const { buildApp, REDACTED_PATHS } = await import('../app.ts');
  // The demo's folder is new at every start, so is its admin: the generated password is shown in the banner.
  let adminPassword = env.SWITCHYARD_ADMIN_PASSWORD ?? '';
  const app = await buildApp({
    config,
    // The terminal is for the narration; the server's JSON log goes to a file.
    logger: { level: config.logLevel, file: paths.serverLog, redact: REDACTED_PATHS },
    announce: (text) => {
      adminPassword = /password: (\S+)/.exec(text)?.[1] ?? adminPassword;
    },
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    const code = (error as { code?: string }).code;
    fail(
      code === 'EADDRINUSE'
        ? `port ${config.port} is in use (npm start, or another demo?): stop it, or run PORT=8081 npm run demo`
        : `cannot start the server: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = ['0.0.0.0', '::', '127.0.0.1'].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;

  const children = new Map<string, ChildProcess>();
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  async function stopAll(why: string, code: number) {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    say(`\n${why}: stopping the agents and the server…`);
    const state = readDemoState(paths);
    // demo.json also holds agents that `restart-agent` started: those are not our children.
    const agents = Object.entries(state?.agents ?? {}).map(([node, a]) => ({ node, pid: a.pid, config: a.config }));
    for (const [node, child] of children) {
      if (child.pid !== undefined) agents.push({ node, pid: child.pid, config: paths.agentConfig(node) });
    }
    const byPid = new Map(agents.flatMap((a) => (a.pid === null ? [] : [[a.pid, a.config] as const])));
    await Promise.all([...byPid].map(([pid, config]) => stopProcess(pid, config)));
    await app.close();
    if (state) {
      const stopped = Object.fromEntries(Object.entries(state.agents).map(([n, a]) => [n, { ...a, pid: null }]));
      writeDemoState(paths, { ...state, agents: stopped });
    }
    say(`demo stopped. Its folder stays for reading until the next start resets it: ${paths.dir}`);
    process.exit(code);
  }
  process.on('SIGINT', () => void stopAll('Ctrl-C', 0));
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0));

  try {
    // An admin API token for the demo's own calls and for the CLI in the other terminal.
    const admin = await app.db.user.findUniqueOrThrow({ where: { name: 'admin' } });
    const cliToken = (await app.users.createToken(admin.id, 'demo CLI')).token;
    writeFileSync(paths.cliToken, `${cliToken}\n`, { mode: 0o600 });
    const api = apiClient({ baseUrl: url, token: cliToken, userAgent: 'switchyard-demo' });
    const tokens: Record<string, string> = {};
    for (const node of DEMO_NODES) {
      tokens[node] = (await api.post('/nodes', nodeWithToken, { name: node, address: '127.0.0.1' })).data.token;
    }
    const pair = (
      await api.post('/pairs', pairView, {
        name: PAIR,
        primary: 'db-1',
        secondary: 'db-2',
        profile: parseThresholds('3x1s'),
        commandTimeoutMs: 10_000,
      })
    ).data;
    await api.put(`/pairs/${pair.id}/auto-failover`, outcomeView, { enabled: true });

    const state: DemoState = { pid: process.pid, url, startedAt: new Date().toISOString(), pair: PAIR, agents: {} };
    for (const node of DEMO_NODES) {
      const configFile = paths.agentConfig(node);
      writeFileSync(configFile, JSON.stringify(demoAgentConfig(paths, node, url, tokens[node] ?? ''), null, 2), {
        mode: 0o600,
      });
      const child = startAgent(paths, node);
      children.set(node, child);
      state.agents[node] = { pid: child.pid ?? null, config: configFile, log: paths.agentLog(node) };
      child.on('exit', (exitCode, signal) => {
        children.delete(node);
        if (!stopping)
          say(stamp(Date.now(), `${node}'s agent (pid ${child.pid}) exited: ${signal ?? `exit code ${exitCode}`}`));
      });
    }
    writeFileSync(paths.hooksLog, '');
    writeDemoState(paths, state);

    say(
      banner({
        url,
        defaultUrl: DEFAULT_SERVER,
        dir: paths.dir,
        hooksLog: paths.hooksLog,
        serverLog: paths.serverLog,
        cliToken: paths.cliToken,
        adminPassword,
        pair: PAIR,
        agents: DEMO_NODES.map((node) => ({
          node,
          pid: state.agents[node]?.pid ?? 0,
          log: paths.agentLog(node),
        })),
        restartCommand: (node) =>
          `${dirFromEnv ? `SWITCHYARD_DEMO_DIR=${paths.dir} ` : ''}npm run demo -- restart-agent ${node}`,
      }),
    );

    // Narration: what the server sees and decides, and what the hooks did.
    let before: PairSnapshot | null = null;
    let lastEventId = 0;
    let hooksOffset = 0;
    let busy = false;
    timer = setInterval(async () => {
      if (busy || stopping) return;
      busy = true;
      try {
        const events = (await api.get(`/pairs/${pair.id}/events?limit=100`, eventPage)).data.events;
        for (const e of [...events].reverse()) {
          if (e.id <= lastEventId) continue;
          lastEventId = e.id;
          const line = eventLine(e);
          if (line) say(stamp(Date.parse(e.at), line));
        }
        const after = snapshotOf((await api.get(`/pairs/${pair.id}`, pairView)).data);
        for (const line of pairChanges(before, after)) say(stamp(Date.now(), line));
        before = after;
        const hooks = readFrom(paths.hooksLog, hooksOffset);
        hooksOffset = hooks.offset;
        for (const line of hooks.text.split('\n').filter(Boolean)) say(stamp(Date.now(), `hook ran: ${line}`));
      } catch (error) {
        if (!stopping && !(error instanceof UnreachableError)) say(`(narration: ${String(error)})`);
      } finally {
        busy = false;
      }
    }, 500);
  } catch (error) {
    const why = error instanceof ApiError ? error.body.message : String(error);
    process.stderr.write(`demo: setting up failed: ${why}\n`);
    await stopAll('setup failed', 1);
  }
}

function restartAgent(node: string | undefined): void {
  if (!node || !isDemoNode(node)) fail(`name a demo node: ${DEMO_NODES.join(' or ')}\n${USAGE}`, 2);
  const name: string = node;
  const state = readDemoState(paths);
  if (!state) fail(`no demo in ${paths.dir}: start one with npm run demo`);
  if (!isRunning(state.pid, DEMO_MARKER)) {
    fail(`the demo (pid ${state.pid}) is not running any more: start it again with npm run demo`);
  }
  const agent = state.agents[name];
  if (!agent) fail(`the demo has no agent ${name}`);
  if (agent.pid !== null && isRunning(agent.pid, agent.config)) {
    fail(`${name}'s agent is already running (pid ${agent.pid}); stop it first, e.g. kill -9 ${agent.pid}`);
  }
  const child = startAgent(paths, name);
  child.unref();
  writeDemoState(paths, { ...state, agents: { ...state.agents, [name]: { ...agent, pid: child.pid ?? null } } });
  say(`${name}'s agent started again: pid ${child.pid} (log ${agent.log}); the demo stops it on Ctrl-C`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === undefined) await start();
else if (command === 'restart-agent' && rest.length <= 1) restartAgent(rest[0]);
else if (command === '--help' || command === '-h' || command === 'help') process.stdout.write(USAGE);
else fail(`unknown argument "${command}"\n${USAGE}`, 2);
