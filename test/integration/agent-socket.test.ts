import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_AGENT_FRAME_BYTES } from '../../server/contract/agent-protocol.ts';
import type { HeartbeatEvent } from '../../server/modules/agents/ingest-hub.ts';
import type { Clock } from '../../server/plugins/clock.ts';
import { agentUrl, connectRawAgent, enrollNode, type RawAgent } from '../helpers/agent-client.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// A clock the test moves by hand: the server's receive time must come from it, not from the agent.
const clock: Clock & { value: number } = { value: Date.parse('2030-01-01T00:00:00Z'), now: () => clock.value };

describe('the agent WebSocket', () => {
  let t: TestApp;
  let base: string;
  const open: RawAgent[] = [];
  const track = (agent: RawAgent) => {
    open.push(agent);
    return agent;
  };
  beforeAll(async () => {
    t = await startTestApp({}, { listen: true, clock });
    base = baseUrl(t.app);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((agent) => agent.close()));
  });
  afterAll(async () => {
    await t.close();
  });

  async function connected(name: string) {
    const { node, token } = await enrollNode(t.app, name);
    const agent = track(await connectRawAgent(base, token));
    agent.hello();
    await agent.waitForMessage((m) => m.type === 'welcome');
    return { node, token, agent };
  }

  const view = async (id: string) => (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${id}` })).json();

  it('welcomes an agent, takes its heartbeats, and stamps them with the server clock', async () => {
    const beats: HeartbeatEvent[] = [];
    const connections: [string, boolean, number][] = [];
    const remove = t.app.ingest.addListener({
      heartbeat: (beat) => beats.push(beat),
      connection: (nodeId, isConnected, at) => connections.push([nodeId, isConnected, at]),
    });
    try {
      const { node, agent } = await connected('beat-1');
      expect(agent.received[0]).toMatchObject({ type: 'welcome', nodeId: node.id, nodeName: 'beat-1' });
      expect(connections).toContainEqual([node.id, true, clock.value]);

      clock.value += 1000;
      agent.heartbeat({
        sentAt: 42, // a wildly wrong agent clock
        healthy: false,
        role: 'active',
        epoch: 3,
        components: [{ name: 'pg', kind: 'tcp', healthy: false, detail: 'ECONNREFUSED' }],
      });
      await waitFor('the heartbeat', () => beats.length === 1);
      expect(beats[0]).toMatchObject({ nodeId: node.id, receivedAt: clock.value, via: 'websocket' });
      expect(beats[0]?.body).toMatchObject({ seq: 1, sentAt: 42, healthy: false, role: 'active', epoch: 3 });

      const shown = await view(node.id);
      expect(shown).toMatchObject({
        connected: true,
        agentVersion: 'test-agent',
        lastHeartbeat: {
          receivedAt: new Date(clock.value).toISOString(),
          via: 'websocket',
          seq: 1,
          healthy: false,
          role: 'active',
          epoch: 3,
          components: [{ name: 'pg', kind: 'tcp', healthy: false, detail: 'ECONNREFUSED' }],
        },
      });

      await agent.close();
      await waitFor('the disconnect', () => connections.some(([id, isConnected]) => id === node.id && !isConnected));
      expect((await view(node.id)).connected).toBe(false);
    } finally {
      remove();
    }
  });

  it('refuses an upgrade without a token, or with a wrong one, with 4401 and a reason', async () => {
    const none = track(await connectRawAgent(base, null));
    expect(await none.closed).toEqual({
      code: 4401,
      reason: expect.stringMatching(/^UNAUTHORIZED: no "Authorization/),
    });
    const wrong = track(await connectRawAgent(base, 'sya_not-a-real-token-at-all-000000000000000'));
    expect(await wrong.closed).toEqual({ code: 4401, reason: 'UNAUTHORIZED: unknown or revoked token' });
    const malformed = new WebSocket(agentUrl(base), { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    malformed.on('error', () => {});
    const closed = await new Promise<number>((resolve) => malformed.on('close', (code) => resolve(code)));
    expect(closed).toBe(4401);
  });

  it.each([
    ['malformed JSON', '{"type": "heartbeat", ', 'INVALID_JSON', /not valid JSON/],
    ['an unknown message type', { type: 'reboot' }, 'UNKNOWN_MESSAGE_TYPE', /unknown message type "reboot"/],
    ['a message without a type', { seq: 1 }, 'UNKNOWN_MESSAGE_TYPE', /unknown message type null/],
    ['a JSON array', '[1,2]', 'INVALID_MESSAGE', /must be a JSON object/],
    ['a heartbeat with a bad field', { type: 'heartbeat', seq: -1 }, 'INVALID_MESSAGE', /heartbeat\.seq/],
    ['a binary frame', Buffer.from([1, 2, 3]), 'BINARY_FRAME', /binary frames are not accepted/],
  ])(
    'answers %s with an error message naming what is wrong, and keeps the connection',
    async (_what, frame, code, message) => {
      const { node, agent } = await connected(`bad-${code.toLowerCase()}-${open.length}-${Date.now()}`);
      agent.send(frame);
      const error = await agent.waitForMessage((m) => m.type === 'error');
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
      // Still connected and still heard.
      agent.heartbeat();
      await waitFor('a heartbeat after the error', async () => (await view(node.id)).lastHeartbeat?.seq === 1);
    },
  );

  it('wants a hello before anything else', async () => {
    const { token } = await enrollNode(t.app, 'no-hello');
    const agent = track(await connectRawAgent(base, token));
    agent.heartbeat();
    expect(await agent.waitForMessage((m) => m.type === 'error')).toMatchObject({ code: 'HELLO_REQUIRED' });
  });

  it('closes an oversized frame with 1009, and the server stays up', async () => {
    const { agent } = await connected('too-big');
    agent.send({ type: 'heartbeat', padding: 'x'.repeat(MAX_AGENT_FRAME_BYTES + 1) });
    expect((await agent.closed).code).toBe(1009);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('closes a connection that keeps sending invalid frames with 1008', async () => {
    const { agent } = await connected('garbage');
    for (let i = 0; i < 20; i += 1) agent.send('nope');
    expect(await agent.closed).toEqual({ code: 1008, reason: expect.stringMatching(/^TOO_MANY_INVALID_FRAMES/) });
  });

  it('closes a flooding connection with 1008; another agent is unaffected and the server stays up', async () => {
    const bystander = await connected('bystander');
    const flooder = await connected('flooder');
    for (let i = 0; i < 2000 && flooder.agent.ws.readyState === WebSocket.OPEN; i += 1) flooder.agent.heartbeat();
    expect(await flooder.agent.closed).toEqual({ code: 1008, reason: expect.stringMatching(/^FLOOD: /) });

    bystander.agent.heartbeat({ seq: 7 });
    await waitFor('the bystander heartbeat', async () => (await view(bystander.node.id)).lastHeartbeat?.seq === 7);
    expect((await view(bystander.node.id)).connected).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('survives a connection reset in the middle of a frame', async () => {
    const { token } = await enrollNode(t.app, 'reset');
    const { port } = new URL(base);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `GET /api/v1/agent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
        );
        socket.once('data', () => {
          // Half a masked frame header, then a hard reset.
          socket.write(Buffer.from([0x81, 0xfe]));
          socket.resetAndDestroy();
          resolve();
        });
      });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('lets a second connection for the same node replace the first with 4409', async () => {
    const { node, token, agent: first } = await connected('twice');
    const second = track(await connectRawAgent(base, token));
    second.hello();
    await second.waitForMessage((m) => m.type === 'welcome');
    expect(await first.closed).toEqual({ code: 4409, reason: expect.stringMatching(/^REPLACED: /) });
    second.heartbeat({ seq: 5 });
    await waitFor('the heartbeat on the new connection', async () => (await view(node.id)).lastHeartbeat?.seq === 5);
    expect((await view(node.id)).connected).toBe(true);
  });

  describe('command delivery', () => {
    const command = (commandId: string, epoch = 1) => ({
      commandId,
      command: 'promote' as const,
      epoch,
      timeoutMs: 5000,
    });
    const result = (commandId: string, epoch = 1) => ({
      type: 'command-result',
      commandId,
      command: 'promote',
      epoch,
      ok: true,
      exitCode: 0,
      output: 'promoted',
      durationMs: 12,
    });

    it('sends a command and resolves with its result', async () => {
      const { node, agent } = await connected('cmd-ok');
      const outcome = t.app.agentChannel.send(node.id, command('c-1'), { deadlineAt: clock.value + 10_000 });
      const sent = await agent.waitForMessage((m) => m.type === 'command');
      expect(sent).toEqual({ type: 'command', ...command('c-1') });
      agent.send(result('c-1'));
      expect(await outcome).toEqual({ status: 'result', result: result('c-1') });
    });

    it('answers not-connected at once for a node without an agent', async () => {
      const { node } = await enrollNode(t.app, 'cmd-offline');
      expect(await t.app.agentChannel.send(node.id, command('c-2'), { deadlineAt: clock.value + 10_000 })).toEqual({
        status: 'not-connected',
      });
    });

    it('answers deadline when no result comes in time', async () => {
      const { node, agent } = await connected('cmd-silent');
      const outcome = t.app.agentChannel.send(node.id, command('c-3'), { deadlineAt: clock.value + 200 });
      await agent.waitForMessage((m) => m.type === 'command');
      expect(await outcome).toEqual({ status: 'deadline' });
    });

    it('re-sends a pending command with the same commandId when the node reconnects', async () => {
      const { node, token, agent } = await connected('cmd-reconnect');
      const outcome = t.app.agentChannel.send(node.id, command('c-4', 2), { deadlineAt: clock.value + 10_000 });
      await agent.waitForMessage((m) => m.type === 'command');
      await agent.close();
      const again = track(await connectRawAgent(base, token));
      again.hello();
      const resent = await again.waitForMessage((m) => m.type === 'command');
      expect(resent).toMatchObject({ commandId: 'c-4', epoch: 2 });
      again.send(result('c-4', 2));
      expect(await outcome).toMatchObject({ status: 'result', result: { commandId: 'c-4' } });
    });

    it('does not accept a result for another node’s command', async () => {
      const target = await connected('cmd-target');
      const other = await connected('cmd-other');
      const outcome = t.app.agentChannel.send(target.node.id, command('c-5'), { deadlineAt: clock.value + 300 });
      other.agent.send(result('c-5'));
      expect(await outcome).toEqual({ status: 'deadline' });
    });
  });
});

describe('the plain-HTTP heartbeat', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { clock });
  });
  afterAll(async () => {
    await t.close();
  });
  const beat = { seq: 1, sentAt: 0, healthy: true, components: [], role: 'passive', epoch: 0 };

  it('takes a beat with the node’s own token', async () => {
    const { node, token } = await enrollNode(t.app, 'curl-1');
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/nodes/${node.id}/heartbeat`,
      headers: { authorization: `Bearer ${token}` },
      payload: beat,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accepted: true, receivedAt: new Date(clock.value).toISOString() });
    const shown = (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();
    expect(shown.lastHeartbeat).toMatchObject({ via: 'http', healthy: true, seq: 1 });
    expect(shown.connected).toBe(false);
  });

  it.each([
    ['no token', () => ({})],
    ['a wrong token', () => ({ authorization: 'Bearer sya_wrong-wrong-wrong-wrong-wrong-wrong' })],
  ])('answers 401 with %s', async (_what, headers) => {
    const { node } = await enrollNode(t.app, `curl-${Math.random().toString(36).slice(2)}`);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/nodes/${node.id}/heartbeat`,
      headers: headers(),
      payload: beat,
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('answers 401 for another node’s token, even with a bad body', async () => {
    const a = await enrollNode(t.app, 'curl-a');
    const b = await enrollNode(t.app, 'curl-b');
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/nodes/${a.node.id}/heartbeat`,
      headers: { authorization: `Bearer ${b.token}` },
      payload: { nonsense: true },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe('this token belongs to another node');
  });

  it('answers 400 naming the field for a bad body', async () => {
    const { node, token } = await enrollNode(t.app, 'curl-bad');
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/nodes/${node.id}/heartbeat`,
      headers: { authorization: `Bearer ${token}` },
      payload: { ...beat, healthy: 'yes' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([{ field: 'body.healthy', message: expect.any(String) }]);
  });
});

describe('the last-seen snapshot', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  it('is written at shutdown and shown after a restart', async () => {
    const first = await startTestApp({}, { dir: temp.path, clock });
    const { node, token } = await enrollNode(first.app, 'persisted');
    await first.app.inject({
      method: 'POST',
      url: `/api/v1/nodes/${node.id}/heartbeat`,
      headers: { authorization: `Bearer ${token}` },
      payload: {
        seq: 9,
        sentAt: 0,
        healthy: true,
        role: 'active',
        epoch: 4,
        components: [{ name: 'pg', kind: 'process', healthy: true, detail: 'pid 1' }],
      },
    });
    await first.app.close();

    const second = await startTestApp({}, { dir: temp.path, clock });
    try {
      const shown = (await injectAsAdmin(second.app, { url: `/api/v1/nodes/${node.id}` })).json();
      expect(shown.lastHeartbeat).toEqual({
        receivedAt: new Date(clock.value).toISOString(),
        via: 'http',
        seq: 9,
        healthy: true,
        role: 'active',
        epoch: 4,
        components: [{ name: 'pg', kind: 'process', healthy: true, detail: 'pid 1' }],
      });
      expect(shown.connected).toBe(false);
    } finally {
      await second.app.close();
    }
  });

  it('is written periodically, not per heartbeat', async () => {
    const t = await startTestApp({}, { clock, agents: { snapshotEveryMs: 100 } });
    try {
      const { node, token } = await enrollNode(t.app, 'periodic');
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/nodes/${node.id}/heartbeat`,
        headers: { authorization: `Bearer ${token}` },
        payload: { seq: 3, sentAt: 0, healthy: false, role: 'passive', epoch: 1 },
      });
      const row = await waitFor('the snapshot', async () => {
        const found = await t.app.db.node.findUnique({ where: { id: node.id } });
        return found?.lastSeq === 3 ? found : null;
      });
      expect(row).toMatchObject({ lastHealthy: false, lastRole: 'passive', lastEpoch: 1, lastVia: 'http' });
      expect(row.lastSeenAt?.getTime()).toBe(clock.value);
    } finally {
      await t.close();
    }
  });
});

describe('sockets that say nothing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: true, agents: { helloTimeoutMs: 200, sweepEveryMs: 50, silenceGraceMs: 0 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('closes a socket that never says hello with 1008', async () => {
    const { token } = await enrollNode(t.app, 'mute');
    const agent = await connectRawAgent(baseUrl(t.app), token);
    expect(await agent.closed).toEqual({ code: 1008, reason: 'HELLO_TIMEOUT: no hello within 200 ms' });
  });

  it('cuts an agent that falls silent after its hello, and shows it disconnected', async () => {
    const { node, token } = await enrollNode(t.app, 'silent');
    const agent = await connectRawAgent(baseUrl(t.app), token);
    agent.hello({ intervalMs: 100 });
    await agent.waitForMessage((m) => m.type === 'welcome');
    // 3 intervals of silence: the server drops the socket without a close handshake.
    expect((await agent.closed).code).toBe(1006);
    await waitFor('the node to show disconnected', async () => {
      const shown = (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();
      return shown.connected === false;
    });
  });
});
