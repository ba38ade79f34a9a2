import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandMessage } from '../../server/contract/agent-protocol.ts';
import type { NodeView } from '../../server/contract/nodes.ts';
import type { HeartbeatEvent } from '../../server/modules/agents/ingest-hub.ts';
import { enrollNode } from '../helpers/agent-client.ts';
import { type AgentProcess, runAgentToExit, startAgentProcess, writeAgentConfig } from '../helpers/agent-process.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** A TCP service the test can stop and start, standing for the node's database. */
async function tcpService(port = 0): Promise<{ server: Server; port: number; stop: () => Promise<void> }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the real agent process against the real server', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let t: TestApp;
  let service: Awaited<ReturnType<typeof tcpService>>;
  let agents: AgentProcess[];
  let beats: HeartbeatEvent[];
  let node: { id: string; name: string };
  let token: string;

  beforeEach(async () => {
    temp = makeTempDir();
    t = await startTestApp({}, { listen: true, dir: join(temp.path, 'server') });
    beats = [];
    t.app.ingest.addListener({ heartbeat: (beat) => beats.push(beat) });
    service = await tcpService();
    agents = [];
    ({ node, token } = await enrollNode(t.app, 'db-1'));
  });
  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop('SIGKILL')));
    await t.app.close();
    await service.stop().catch(() => {});
    temp.cleanup();
  });

  function config(overrides: Record<string, unknown> = {}) {
    return {
      server: baseUrl(t.app),
      token,
      intervalMs: 200,
      stateDir: join(temp.path, 'agent-state'),
      components: [{ name: 'database', kind: 'tcp', host: '127.0.0.1', port: service.port, timeoutMs: 150 }],
      reconnect: { baseMs: 100, maxMs: 1000, stableAfterMs: 1000 },
      ...overrides,
    };
  }

  function startAgent(overrides: Record<string, unknown> = {}): AgentProcess {
    const agent = startAgentProcess(writeAgentConfig(temp.path, config(overrides)));
    agents.push(agent);
    return agent;
  }

  const view = async (): Promise<NodeView> => (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();

  const send = (fields: Partial<Omit<CommandMessage, 'type'>>) =>
    t.app.agentChannel.send(
      node.id,
      {
        commandId: `c-${Math.random().toString(36).slice(2)}`,
        command: 'promote',
        epoch: 1,
        timeoutMs: 5000,
        ...fields,
      },
      { deadlineAt: t.app.clock.now() + 15_000 },
    );

  const connectedAgent = async (overrides: Record<string, unknown> = {}) => {
    const agent = startAgent(overrides);
    await waitFor('the agent to connect', async () => (await view()).connected);
    return agent;
  };

  it('streams heartbeats; a failing component shows as unhealthy', async () => {
    const agent = await connectedAgent();
    const healthy = await waitFor('a healthy heartbeat', async () => {
      const shown = await view();
      return shown.lastHeartbeat?.healthy ? shown : null;
    });
    expect(healthy).toMatchObject({
      connected: true,
      agentVersion: packageVersion,
      lastHeartbeat: {
        via: 'websocket',
        role: 'unknown',
        epoch: 0,
        components: [{ name: 'database', kind: 'tcp', healthy: true, detail: expect.stringMatching(/accepted in/) }],
      },
    });
    const seq = healthy.lastHeartbeat?.seq ?? 0;
    await waitFor('more heartbeats', async () => ((await view()).lastHeartbeat?.seq ?? 0) >= seq + 2);

    await service.stop();
    const unhealthy = await waitFor('an unhealthy heartbeat', async () => {
      const shown = await view();
      return shown.lastHeartbeat?.healthy === false ? shown : null;
    });
    expect(unhealthy.lastHeartbeat?.components).toEqual([
      expect.objectContaining({ name: 'database', healthy: false, detail: 'ECONNREFUSED' }),
    ]);
    // Structured logs, and never the token.
    expect(agent.logs.find((l) => l.msg === 'server welcomed this agent')).toMatchObject({
      level: 'info',
      node: 'db-1',
    });
    expect(agent.logs.every((l) => !l.unparsed)).toBe(true);
    expect(agent.stdout()).not.toContain(token);
  });

  it('reconnects after a server restart, within its backoff', async () => {
    const agent = await connectedAgent();
    const { port } = new URL(baseUrl(t.app));
    await t.app.close();
    await agent.waitForLog((l) => l.msg === 'disconnected' && l.code === 1001);

    t = await startTestApp({}, { port: Number(port), dir: join(temp.path, 'server') });
    beats = [];
    t.app.ingest.addListener({ heartbeat: (beat) => beats.push(beat) });
    // maxMs is 1 s: a few attempts at most. 10 s is a generous bound, not a timing claim.
    await waitFor('the agent back on the new server', () => beats.length > 0, { timeoutMs: 10_000 });
    expect((await view()).connected).toBe(true);
  });

  it('runs the promote hook and brings its output back; the node then reports itself active', async () => {
    const marker = join(temp.path, 'promoted');
    await connectedAgent({
      hooks: { promote: { command: `echo "promoted epoch=$SWITCHYARD_EPOCH node=$SWITCHYARD_NODE"; touch ${marker}` } },
    });
    await waitFor('the welcome to reach the agent', () => beats.length > 0);
    const outcome = await send({ commandId: 'promote-1', epoch: 1 });
    expect(outcome).toEqual({
      status: 'result',
      result: expect.objectContaining({
        type: 'command-result',
        commandId: 'promote-1',
        command: 'promote',
        epoch: 1,
        ok: true,
        exitCode: 0,
        output: 'promoted epoch=1 node=db-1\n',
      }),
    });
    expect(existsSync(marker)).toBe(true);
    await waitFor('a heartbeat as active at epoch 1', async () => {
      const beat = (await view()).lastHeartbeat;
      return beat?.role === 'active' && beat.epoch === 1;
    });
  });

  it('refuses a command with an older epoch without running its hook', async () => {
    const demoted = join(temp.path, 'demoted');
    await connectedAgent({
      hooks: { promote: { command: 'true' }, demote: { command: `touch ${demoted}` } },
    });
    expect(await send({ command: 'promote', epoch: 3 })).toMatchObject({ status: 'result', result: { ok: true } });
    const outcome = await send({ command: 'demote', epoch: 2 });
    expect(outcome).toMatchObject({
      status: 'result',
      result: { ok: false, refused: 'stale-epoch', exitCode: null, output: expect.stringContaining('older than 3') },
    });
    expect(existsSync(demoted)).toBe(false);
  });

  it('refuses a promote whose pre-promote check fails, with the check’s output', async () => {
    const promoted = join(temp.path, 'promoted');
    await connectedAgent({
      hooks: {
        prePromoteCheck: { command: 'echo "replication lag 42 s > 10 s"; exit 1' },
        promote: { command: `touch ${promoted}` },
      },
    });
    const outcome = await send({ command: 'promote', epoch: 2 });
    expect(outcome).toMatchObject({
      status: 'result',
      result: { ok: false, refused: 'pre-promote-check', exitCode: 1, output: 'replication lag 42 s > 10 s\n' },
    });
    expect(existsSync(promoted)).toBe(false);
    // prepare runs the check alone.
    expect(await send({ command: 'prepare', epoch: 3 })).toMatchObject({
      status: 'result',
      result: { command: 'prepare', ok: false, exitCode: 1, output: 'replication lag 42 s > 10 s\n' },
    });
    await waitFor('a heartbeat at epoch 3, still not active', async () => {
      const beat = (await view()).lastHeartbeat;
      return beat?.epoch === 3 && beat.role === 'unknown';
    });
  });

  it('kills a hook that overruns its time limit and says so', async () => {
    await connectedAgent({ hooks: { fence: { command: 'echo fencing; sleep 30', timeoutMs: 300 } } });
    const outcome = await send({ command: 'fence', epoch: 1 });
    expect(outcome).toMatchObject({
      status: 'result',
      result: { ok: false, exitCode: null, output: expect.stringContaining('[killed after 300 ms: time limit]') },
    });
  });

  it('remembers its epoch and role across SIGKILL, and replays a commandId instead of running it again', async () => {
    const ledger = join(temp.path, 'promote-runs');
    const hooks = { promote: { command: `echo run >> ${ledger}; echo promoted` } };
    const first = await connectedAgent({ hooks });
    expect(await send({ commandId: 'promote-5', epoch: 5 })).toMatchObject({ status: 'result', result: { ok: true } });

    await first.stop('SIGKILL');
    await waitFor('the server to notice', async () => !(await view()).connected);
    beats = [];
    await connectedAgent({ hooks });
    const firstBeat = await waitFor('the restarted agent’s first heartbeat', () => beats.find((b) => b.body.seq === 1));
    expect(firstBeat.body).toMatchObject({ epoch: 5, role: 'active' });

    const replayed = await send({ commandId: 'promote-5', epoch: 5 });
    expect(replayed).toMatchObject({
      status: 'result',
      result: { commandId: 'promote-5', ok: true, exitCode: 0, output: 'promoted\n', duplicate: true },
    });
    // Another commandId for a promote at the same epoch is the same promote.
    expect(await send({ commandId: 'promote-5-again', epoch: 5 })).toMatchObject({
      status: 'result',
      result: { commandId: 'promote-5-again', ok: true, duplicate: true },
    });
    expect(readFileSync(ledger, 'utf8')).toBe('run\n');
    expect(await send({ command: 'demote', epoch: 4 })).toMatchObject({ result: { refused: 'stale-epoch' } });
  });

  it('probes its peers and reports them in each heartbeat', async () => {
    await connectedAgent({
      peers: [
        {
          node: 'db-2',
          components: [{ name: 'database', kind: 'tcp', host: '127.0.0.1', port: service.port, timeoutMs: 150 }],
        },
      ],
    });
    const beat = await waitFor('a heartbeat with peers', async () => (await view()).lastHeartbeat?.peers?.[0]);
    expect(beat).toMatchObject({
      node: 'db-2',
      healthy: true,
      components: [{ name: 'database', kind: 'tcp', healthy: true }],
    });
  });

  it('logs clearly when its token is revoked, and keeps retrying only slowly', async () => {
    const agent = await connectedAgent();
    await injectAsAdmin(t.app, { method: 'DELETE', url: `/api/v1/nodes/${node.id}/token` });
    const entry = await agent.waitForLog((l) => l.level === 'error' && String(l.msg).includes('refused this agent'));
    expect(entry).toMatchObject({ code: 4401, reason: 'TOKEN_REVOKED: this token was revoked' });
    expect(Number(entry.retryInMs)).toBeGreaterThanOrEqual(500);
    expect(agent.stdout()).not.toContain(token);
  });

  it('stops cleanly on SIGTERM', async () => {
    const agent = await connectedAgent();
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.logs.at(-1)).toMatchObject({ msg: 'stopped' });
    await waitFor('the server to see it gone', async () => !(await view()).connected);
  });
});

describe('switchyard-agent --check-config', () => {
  const temp = makeTempDir();
  afterEach(() => {});

  it('exits 0 and says what it found for a valid config', async () => {
    const file = writeAgentConfig(temp.path, {
      server: 'http://127.0.0.1:9',
      token: 'sya_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      stateDir: 'state',
      hooks: { promote: { command: 'true' } },
    });
    const result = await runAgentToExit(['--config', file, '--check-config']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`config OK: ${file}`);
    expect(result.stdout).toContain('hooks: promote');
    expect(existsSync(join(temp.path, 'state'))).toBe(false);
  });

  it('exits non-zero with one line naming the bad field', async () => {
    const file = writeAgentConfig(
      temp.path,
      {
        server: 'http://127.0.0.1:9',
        token: 'sya_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
        stateDir: 's',
        intervalMs: 5,
      },
      'bad.json',
    );
    const result = await runAgentToExit(['--config', file, '--check-config']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `switchyard-agent: invalid config ${file}: intervalMs: must be at least 100 ms\n`,
    });
    temp.cleanup();
  });
});
