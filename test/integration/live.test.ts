import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LiveMessage, liveMessage } from '../../server/contract/live.ts';
import { defaultThresholdProfile } from '../../server/contract/thresholds.ts';
import { connectRawAgent, type RawAgent } from '../helpers/agent-client.ts';
import { adminHeaders, injectAsAdmin } from '../helpers/auth.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

/** A browser's view of /api/v1/live: every frame parsed with the contract. */
async function openLive(base: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/live`, { headers });
  const messages: LiveMessage[] = [];
  ws.on('message', (data: Buffer) => messages.push(liveMessage.parse(JSON.parse(data.toString()))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

describe('/api/v1/live', () => {
  let t: TestApp;
  const agents: RawAgent[] = [];
  beforeEach(async () => {
    t = await startTestApp({}, { listen: true });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await t.close();
  });

  it('sends a snapshot, then pairs, signals and alerts as they change', async () => {
    const base = baseUrl(t.app);
    const live = await openLive(base, await adminHeaders(t.app));
    await waitFor('the snapshot', () => live.messages.find((m) => m.type === 'snapshot'));
    expect(live.messages[0]).toEqual({ type: 'snapshot', pairs: [], alerts: [] });

    const tokens: Record<string, string> = {};
    for (const name of ['db-1', 'db-2']) {
      const r = await injectAsAdmin(t.app, {
        method: 'POST',
        url: '/api/v1/nodes',
        payload: { name, address: '127.0.0.1' },
      });
      tokens[name] = r.json().token;
    }
    const profile = defaultThresholdProfile();
    for (const role of ['active', 'passive'] as const) {
      profile[role].up = { beats: 1, intervalMs: 300 };
      profile[role].down = { beats: 2, intervalMs: 300 };
      profile[role].downHeartbeat = { enabled: true, beats: 1, intervalMs: 300 };
    }
    const linked = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/pairs',
      payload: { name: 'orders', primary: 'db-1', secondary: 'db-2', profile },
    });
    const pairId = linked.json().id;
    await waitFor('the new pair', () => live.messages.find((m) => m.type === 'pair' && m.pair.id === pairId));

    // db-1's agent beats healthy: Up(db-1) arrives as a signal and in the pair
    const agent = await connectRawAgent(base, tokens['db-1'] ?? '');
    agents.push(agent);
    agent.hello();
    const beating = setInterval(() => agent.heartbeat(), 100);
    try {
      const up = await waitFor('Up(db-1)', () =>
        live.messages.find((m) => m.type === 'signal' && m.signal.type === 'Up' && m.pairId === pairId),
      );
      expect(up).toMatchObject({ signal: { condition: 'ActiveUp' } });
      await waitFor('db-1 Up in the pair', () =>
        live.messages.find(
          (m) => m.type === 'pair' && m.pair.members.some((x) => x.name === 'db-1' && x.verdict === 'up'),
        ),
      );
      // db-2 never speaks: Down, and its alert shows in the problem summary
      const alerts = await waitFor('the node-down alert', () =>
        live.messages.find((m) => m.type === 'alerts' && m.alerts.some((a) => a.kind === 'node-down')),
      );
      expect(alerts.type === 'alerts' && alerts.alerts[0]?.message).toMatch(/db-2 of pair orders is Down/);
      await waitFor('a heartbeat summary', () => live.messages.find((m) => m.type === 'heartbeats'), {
        timeoutMs: 5000,
      });
    } finally {
      clearInterval(beating);
    }

    await injectAsAdmin(t.app, { method: 'DELETE', url: `/api/v1/pairs/${pairId}` });
    await waitFor('pair-removed', () => live.messages.find((m) => m.type === 'pair-removed' && m.pairId === pairId));
    live.ws.close();
  });

  it('refuses a browser that talks too much', async () => {
    const live = await openLive(baseUrl(t.app), await adminHeaders(t.app));
    live.ws.send('x'.repeat(2000));
    expect(await live.closed).toEqual({ code: 1009, reason: 'MESSAGE_TOO_BIG: this socket only pushes' });
  });
});
