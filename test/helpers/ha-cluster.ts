import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PairView } from '../../server/contract/pairs.ts';
import type { ThresholdProfile } from '../../server/contract/thresholds.ts';
import { type AgentProcess, startAgentProcess, writeAgentConfig } from './agent-process.ts';
import { waitFor } from './wait.ts';

/**
 * A pair of real agent processes (db-1 primary, db-2 secondary) against a
 * running server, with hooks that append to a log file and a switch per node
 * that makes its critical component fail.
 */

export const S = 1000;

/** 3 × 1 s everywhere: Down 3 s after the last healthy beat, Up after 3 s of them. */
export function fastProfile(): ThresholdProfile {
  const role = {
    up: { beats: 3, intervalMs: S },
    down: { beats: 3, intervalMs: S },
    downHeartbeat: { enabled: true, beats: 1, intervalMs: S },
  };
  return { active: structuredClone(role), passive: structuredClone(role) };
}

export type Api = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: T }>;

export function apiAt(baseUrl: string, token: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as never };
  };
}

export interface HookLine {
  node: string;
  hook: string;
  epoch: number;
  phase: 'start' | 'done';
}

export interface Cluster {
  dir: string;
  nodes: Record<string, { id: string; token: string; configFile: string }>;
  agents: Record<string, AgentProcess | undefined>;
  pairId: string;
  api: Api;
  /** start (or restart) one agent process */
  startAgent: (name: string) => AgentProcess;
  makeSick: (name: string, sick: boolean) => void;
  hooks: () => HookLine[];
  pair: () => Promise<PairView>;
  waitForPair: (what: string, predicate: (p: PairView) => boolean, timeoutMs?: number) => Promise<PairView>;
  events: () => Promise<{ kind: string; message: string; actor: string }[]>;
  stopAll: () => Promise<void>;
}

export interface ClusterOptions {
  baseUrl: string;
  /** an admin's API token */
  token: string;
  dir: string;
  profile?: ThresholdProfile;
  autoFailover?: boolean;
  commandTimeoutMs?: number;
  /** per node: hook shell snippets run before the hook logs "done" (e.g. "sleep 3") */
  slowHooks?: Record<string, Partial<Record<'prePromoteCheck' | 'promote' | 'demote', string>>>;
  prePromoteCheck?: Record<string, string>;
  /** start the agents first and link the pair once they are connected (the usual order in real life) */
  linkAfterAgents?: boolean;
}

function hookCommand(log: string, node: string, hook: string, extra = '') {
  // One line at start and one when done, so tests can see a hook in flight.
  return `echo "${node} ${hook} $SWITCHYARD_EPOCH start" >> ${log}; ${extra ? `${extra}; ` : ''}echo "${node} ${hook} $SWITCHYARD_EPOCH done" >> ${log}`;
}

/** Enrolls db-1 and db-2, links them as a pair, starts both agents. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const api = apiAt(o.baseUrl, o.token);
  const hookLog = join(o.dir, 'hooks.log');
  const nodes: Cluster['nodes'] = {};
  for (const name of ['db-1', 'db-2']) {
    const created = await api<{ node: { id: string }; token: string }>('POST', '/nodes', {
      name,
      address: '127.0.0.1',
    });
    if (created.status !== 201) throw new Error(`enrolling ${name}: ${JSON.stringify(created.body)}`);
    const slow = o.slowHooks?.[name] ?? {};
    const check = o.prePromoteCheck?.[name];
    const configFile = writeAgentConfig(
      o.dir,
      {
        server: o.baseUrl,
        token: created.body.token,
        intervalMs: 200,
        stateDir: join(o.dir, `${name}-state`),
        components: [
          { name: 'service', kind: 'command', command: `test ! -f ${join(o.dir, `${name}.sick`)}`, timeoutMs: 150 },
        ],
        hooks: {
          promote: { command: hookCommand(hookLog, name, 'promote', slow.promote), timeoutMs: 20_000 },
          demote: { command: hookCommand(hookLog, name, 'demote', slow.demote), timeoutMs: 20_000 },
          prePromoteCheck: {
            command: check ?? hookCommand(hookLog, name, 'prePromoteCheck', slow.prePromoteCheck),
            timeoutMs: 20_000,
          },
        },
        reconnect: { baseMs: 100, maxMs: 1000, stableAfterMs: 5000 },
        logLevel: 'warn',
      },
      `${name}.json`,
    );
    nodes[name] = { id: created.body.node.id, token: created.body.token, configFile };
  }
  const agentProcesses: Cluster['agents'] = {};
  if (o.linkAfterAgents) {
    for (const name of ['db-1', 'db-2']) {
      const node = nodes[name];
      if (node) agentProcesses[name] = startAgentProcess(node.configFile);
    }
    await waitFor('both agents connected', async () => {
      const list = await api<{ nodes: { name: string; connected: boolean }[] }>('GET', '/nodes');
      return list.body.nodes.filter((n) => n.connected).length === 2;
    });
  }
  const linked = await api<PairView>('POST', '/pairs', {
    name: 'orders',
    primary: nodes['db-1']?.id,
    secondary: nodes['db-2']?.id,
    profile: o.profile ?? fastProfile(),
    commandTimeoutMs: o.commandTimeoutMs ?? 10_000,
  });
  if (linked.status !== 201) throw new Error(`linking: ${JSON.stringify(linked.body)}`);
  const pairId = linked.body.id;

  const agents: Cluster['agents'] = agentProcesses;
  const cluster: Cluster = {
    dir: o.dir,
    nodes,
    agents,
    pairId,
    api,
    startAgent(name) {
      const node = nodes[name];
      if (!node) throw new Error(`no node ${name}`);
      const agent = startAgentProcess(node.configFile);
      agents[name] = agent;
      return agent;
    },
    makeSick(name, sick) {
      const file = join(o.dir, `${name}.sick`);
      if (sick) writeFileSync(file, 'sick');
      else rmSync(file, { force: true });
    },
    hooks() {
      if (!existsSync(hookLog)) return [];
      return readFileSync(hookLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [node = '', hook = '', epoch = '0', phase = 'start'] = line.split(' ');
          return { node, hook, epoch: Number(epoch), phase: phase as HookLine['phase'] };
        });
    },
    async pair() {
      const r = await api<PairView>('GET', `/pairs/${pairId}`);
      if (r.status !== 200) throw new Error(`GET pair: ${r.status}`);
      return r.body;
    },
    waitForPair(what, predicate, timeoutMs = 20_000) {
      return waitFor(
        what,
        async () => {
          const p = await cluster.pair();
          return predicate(p) ? p : undefined;
        },
        { timeoutMs, everyMs: 50 },
      );
    },
    async events() {
      const r = await api<{ events: { kind: string; message: string; actor: string }[] }>(
        'GET',
        `/pairs/${pairId}/events?limit=500`,
      );
      return [...r.body.events].reverse();
    },
    async stopAll() {
      await Promise.all(Object.values(agents).map((a) => a?.stop('SIGKILL')));
    },
  };
  if (o.autoFailover) {
    const enabled = await api('PUT', `/pairs/${pairId}/auto-failover`, { enabled: true });
    if (enabled.status !== 200) throw new Error(`enabling auto-failover: ${JSON.stringify(enabled.body)}`);
  }
  if (!o.linkAfterAgents) {
    cluster.startAgent('db-1');
    cluster.startAgent('db-2');
  }
  return cluster;
}

export const memberByName = (p: PairView, name: string) => {
  const m = p.members.find((x) => x.name === name);
  if (!m) throw new Error(`no member ${name}`);
  return m;
};

export const activeName = (p: PairView) => p.members.find((m) => m.nodeId === p.activeNodeId)?.name ?? null;
