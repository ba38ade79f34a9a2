import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PairView } from '../../server/contract/pairs.ts';
import { adminToken } from '../helpers/auth.ts';
import { activeName, type Cluster, fastProfile, memberByName, S, startCluster } from '../helpers/ha-cluster.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// Real agent processes, the real server on loopback, thresholds 3 × 1 s, agents beating every 200 ms.

const bothUp = (p: PairView) => p.members.every((m) => m.verdict === 'up' && m.stable) && p.display.state === 'normal';

describe('orchestration end to end', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let t: TestApp;
  let c: Cluster;

  async function setup(options: Partial<Parameters<typeof startCluster>[0]> = {}) {
    t = await startTestApp({}, { listen: true, dir: temp.path });
    c = await startCluster({ baseUrl: baseUrl(t.app), token: await adminToken(t.app), dir: temp.path, ...options });
    await c.waitForPair('both members Up', bothUp);
  }

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await c?.stopAll();
    await t?.app.close();
    temp.cleanup();
  });

  it('SIGKILL of the active agent → failover within N × interval + 1 s, promote hook on the passive; old active demoted on return; re-enable → failback', async () => {
    await setup({ autoFailover: true });
    await c.agents['db-1']?.stop('SIGKILL');

    const failedOver = await c.waitForPair('failover to db-2', (p) => activeName(p) === 'db-2' && !p.switchover);
    expect(failedOver).toMatchObject({ epoch: 1, autoFailover: false, display: { state: 'failed-over' } });
    expect(failedOver.pendingFailoverAck).not.toBeNull();
    expect(c.hooks()).toContainEqual({ node: 'db-2', hook: 'promote', epoch: 1, phase: 'done' });
    expect(c.hooks().filter((h) => h.node === 'db-1')).toEqual([]);

    // decided within N × interval + 1 s of db-1's last healthy heartbeat (server times, from the events)
    const events = await t.app.db.event.findMany({ where: { pairId: c.pairId }, orderBy: { id: 'asc' } });
    const down = events.find((e) => e.kind === 'signal' && e.message.startsWith('Down(db-1)'));
    const decision = events.find((e) => e.kind === 'decision');
    const lastHealthy = Number(JSON.parse(down?.details ?? '{}').at) - 3 * S;
    expect(decision?.message).toMatch(/^failover db-1 → db-2: active node db-1 is Down/);
    expect((decision?.at.getTime() ?? 0) - lastHealthy).toBeLessThanOrEqual(3 * S + 1 * S);

    const alerts = await c.api<{ alerts: { id: number; kind: string }[] }>('GET', '/alerts');
    const failoverAlert = alerts.body.alerts.find((a) => a.kind === 'automatic-failover');
    expect(failoverAlert).toBeDefined();

    // the old active comes back (its agent never saw epoch 1): demoted at once
    c.startAgent('db-1');
    await waitFor('db-1 demoted', () =>
      c.hooks().find((h) => h.node === 'db-1' && h.hook === 'demote' && h.phase === 'done'),
    );
    expect(c.hooks().filter((h) => h.node === 'db-1' && h.hook === 'demote')).toContainEqual(
      expect.objectContaining({ epoch: 1 }),
    );
    await c.waitForPair(
      'db-1 Up again',
      (p) => memberByName(p, 'db-1').verdict === 'up' && memberByName(p, 'db-1').stable,
    );

    // re-enabling needs the failover acknowledged with a reason
    const refused = await c.api('PUT', `/pairs/${c.pairId}/auto-failover`, { enabled: true });
    expect(refused).toMatchObject({ status: 409, body: { code: 'FAILOVER_NOT_ACKNOWLEDGED' } });
    const enabled = await c.api<{ ok: boolean; message: string }>('PUT', `/pairs/${c.pairId}/auto-failover`, {
      enabled: true,
      reason: 'db-1 rebooted after a kernel panic',
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body.message).toBe('auto-failover enabled; failback to db-1 started');

    const failedBack = await c.waitForPair('failback to db-1', (p) => activeName(p) === 'db-1' && !p.switchover);
    expect(failedBack).toMatchObject({ epoch: 2, autoFailover: true, display: { state: 'normal' } });
    expect(c.hooks().filter((h) => h.phase === 'done' && h.hook !== 'prePromoteCheck')).toEqual([
      { node: 'db-2', hook: 'promote', epoch: 1, phase: 'done' },
      { node: 'db-1', hook: 'demote', epoch: 1, phase: 'done' },
      { node: 'db-2', hook: 'demote', epoch: 2, phase: 'done' },
      { node: 'db-1', hook: 'promote', epoch: 2, phase: 'done' },
    ]);
    const acked = await c.api<{ alerts: { kind: string; state: string; ack: { comment: string } | null }[] }>(
      'GET',
      '/alerts?state=all',
    );
    expect(acked.body.alerts.find((a) => a.kind === 'automatic-failover')).toMatchObject({
      state: 'closed-acknowledged',
      ack: { comment: 'db-1 rebooted after a kernel panic' },
    });
    const story = (await c.events()).map((e) => e.kind);
    expect(story).toEqual(expect.arrayContaining(['decision', 'switchover-completed', 'acknowledgement', 'config']));
  });

  it('manual switchover through the API, to the non-preferred node, turns auto-failover off and says so', async () => {
    await setup({ autoFailover: true });
    const r = await c.api<{ ok: boolean; message: string; pair: PairView }>('POST', `/pairs/${c.pairId}/switchover`, {
      to: 'db-2',
    });
    expect(r.status).toBe(200);
    expect(r.body.message).toContain('auto-failover turned off: db-2 is not the preferred node');
    const p = await c.waitForPair('db-2 active', (x) => activeName(x) === 'db-2' && !x.switchover);
    expect(p).toMatchObject({ epoch: 1, autoFailover: false });
    // prepare runs the pre-promote check alone; the agent runs it again before its promote hook
    expect(
      c
        .hooks()
        .filter((h) => h.phase === 'done')
        .map((h) => `${h.node} ${h.hook} ${h.epoch}`),
    ).toEqual(['db-2 prePromoteCheck 1', 'db-1 demote 1', 'db-2 prePromoteCheck 1', 'db-2 promote 1']);
  });

  it('a pair linked while its agents already run knows them connected: a switchover demotes the old active', async () => {
    await setup({ linkAfterAgents: true });
    const p = await c.pair();
    expect(p.members.map((m) => m.connected)).toEqual([true, true]);
    expect((await c.api('POST', `/pairs/${c.pairId}/switchover`, { to: 'db-2' })).status).toBe(200);
    await c.waitForPair('db-2 active', (x) => activeName(x) === 'db-2' && !x.switchover);
    expect(c.hooks().filter((h) => h.phase === 'done' && h.hook === 'demote')).toEqual([
      { node: 'db-1', hook: 'demote', epoch: 1, phase: 'done' },
    ]);
  });

  it('maintenance blocks failover', async () => {
    await setup({ autoFailover: true });
    expect((await c.api('PUT', `/pairs/${c.pairId}/maintenance`, { enabled: true })).status).toBe(200);
    await c.agents['db-1']?.stop('SIGKILL');
    await c.waitForPair('db-1 Down', (p) => memberByName(p, 'db-1').verdict === 'down');
    const p = await c.pair();
    expect(p).toMatchObject({
      activeNodeId: memberByName(p, 'db-1').nodeId,
      epoch: 0,
      display: { state: 'maintenance' },
    });
    expect(p.hold?.explanation).toMatch(/^no failover: the pair is in maintenance/);
    expect(c.hooks().filter((h) => h.hook === 'promote')).toEqual([]);
  });

  it('an unstable passive is no target: no failover until it earns Up again, and the explanation says why', async () => {
    // the passive needs 8 × 1 s of healthy beats to earn Up again: long enough to watch the hold
    const profile = fastProfile();
    profile.passive.up = { beats: 8, intervalMs: S };
    await setup({ autoFailover: true, profile });
    c.makeSick('db-2', true);
    await c.waitForPair('db-2 unstable', (p) => !memberByName(p, 'db-2').stable);
    c.makeSick('db-2', false);
    await c.agents['db-1']?.stop('SIGKILL');
    const held = await c.waitForPair('held', (x) => x.hold?.guard === 'no-target');
    expect(held.hold?.explanation).toMatch(
      /^no failover: no Up and stable passive node \(node db-2 unstable since .*, DownHeartbeat at /,
    );
    expect(held).toMatchObject({ epoch: 0, display: { state: 'outage' } });
    expect(c.hooks().filter((h) => h.hook === 'promote')).toEqual([]);
    // rule 3: once db-2 earns Up while db-1 is still Down, the failover happens
    const moved = await c.waitForPair('failover once db-2 is Up', (x) => activeName(x) === 'db-2' && !x.switchover);
    expect(moved.epoch).toBe(1);
  });

  it('both down → outage, a critical alert, no move', async () => {
    await setup({ autoFailover: true });
    await Promise.all([c.agents['db-1']?.stop('SIGKILL'), c.agents['db-2']?.stop('SIGKILL')]);
    const p = await c.waitForPair('both Down', (x) => x.members.every((m) => m.verdict === 'down'));
    expect(p).toMatchObject({ epoch: 0, display: { state: 'outage' } });
    const alerts = await c.api<{ alerts: { kind: string; severity: string }[] }>('GET', '/alerts');
    expect(alerts.body.alerts).toContainEqual(expect.objectContaining({ kind: 'pair-outage', severity: 'critical' }));
    expect(c.hooks()).toEqual([]);
  });
});
