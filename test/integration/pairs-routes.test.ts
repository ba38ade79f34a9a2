import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertView } from '../../server/contract/alerts.ts';
import { pairView } from '../../server/contract/pairs.ts';
import { defaultThresholdProfile } from '../../server/contract/thresholds.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// Routes through the real app and a real SQLite file; no agents here, so members
// stay silent: they are Down N × interval after the pair is linked.

describe('pair routes', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  const call = (method: string, url: string, payload?: unknown) =>
    injectAsAdmin(t.app, {
      method: method as 'GET',
      url: `/api/v1${url}`,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  async function link(body: Record<string, unknown> = {}) {
    const r = await call('POST', '/pairs', { name: 'orders', primary: 'db-1', secondary: 'db-2', ...body });
    expect(r.statusCode, r.body).toBe(201);
    return pairView.parse(r.json());
  }

  beforeEach(async () => {
    t = await startTestApp();
    for (const name of ['db-1', 'db-2', 'db-3']) {
      const r = await call('POST', '/nodes', { name, address: '10.0.0.1' });
      ids[name] = r.json().node.id;
    }
  });
  afterEach(async () => t.close());

  describe('POST /pairs (link)', () => {
    it('links two nodes by name with weights 51/49, auto-failover off, the primary active', async () => {
      const p = await link();
      expect(p).toMatchObject({
        name: 'orders',
        epoch: 0,
        autoFailover: false,
        maintenance: false,
        activeNodeId: ids['db-1'],
        display: { state: 'linking' },
        failbackPolicy: { kind: 'on-re-enable' },
        commandTimeoutMs: 30_000,
        detection: { active: { down: 'Down after 5 × 10 s = 50 s', up: 'Up after 5 × 10 s = 50 s' } },
      });
      expect(p.members.map((m) => [m.name, m.weight, m.preferred, m.role])).toEqual([
        ['db-1', 51, true, 'active'],
        ['db-2', 49, false, 'passive'],
      ]);
      const events = await call('GET', `/pairs/${p.id}/events`);
      expect(events.json().events[0].message).toContain('pair orders linked by');
    });

    it.each([
      [{ name: undefined }, 'body.name'],
      [{ primary: 42 }, 'body.primary'],
      [{ weights: { primary: 0, secondary: 49 } }, 'body.weights.primary'],
      [
        {
          profile: {
            ...defaultThresholdProfile(),
            passive: { ...defaultThresholdProfile().passive, down: { beats: 0, intervalMs: 1000 } },
          },
        },
        'body.profile.passive.down.beats',
      ],
      [{ failbackPolicy: { kind: 'after-healthy-streak', streakMs: 10 } }, 'body.failbackPolicy.streakMs'],
      [{ secondary: 'db-1' }, 'body.secondary'],
      [{ surprise: true }, 'body'],
      [{ name: 'no spaces please' }, 'body.name'],
    ])('refuses %j with 400 naming %s', async (patch, field) => {
      const r = await call('POST', '/pairs', { name: 'orders', primary: 'db-1', secondary: 'db-2', ...patch });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(r.json().details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('names an unknown node, a node already paired, and a taken name', async () => {
      const unknown = await call('POST', '/pairs', { name: 'x', primary: 'db-9', secondary: 'db-2' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toMatchObject({
        code: 'NODE_NOT_FOUND',
        message: 'primary: no node with id or name "db-9"',
      });
      await link();
      const taken = await call('POST', '/pairs', { name: 'billing', primary: 'db-3', secondary: 'db-2' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({
        code: 'NODE_ALREADY_PAIRED',
        message: 'node db-2 already belongs to pair orders',
      });
    });

    it('refuses to delete a node that belongs to a pair', async () => {
      await link();
      const r = await call('DELETE', `/nodes/${ids['db-1']}`);
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'NODE_IN_PAIR' });
      expect(r.json().message).toContain('belongs to pair orders: delete the pair first');
    });
  });

  describe('GET, PATCH, DELETE /pairs/:id', () => {
    it('answers 404 naming the id for unknown pairs on every route', async () => {
      const routes: [string, string, unknown?][] = [
        ['GET', '/pairs/nope'],
        ['PATCH', '/pairs/nope', { commandTimeoutMs: 5000 }],
        ['DELETE', '/pairs/nope'],
        ['POST', '/pairs/nope/switchover', { to: 'db-2' }],
        ['PUT', '/pairs/nope/auto-failover', { enabled: true }],
        ['PUT', '/pairs/nope/maintenance', { enabled: true }],
        ['GET', '/pairs/nope/events'],
        ['POST', '/pairs/nope/drill', { node: 'db-1' }],
      ];
      for (const [method, url, body] of routes) {
        const r = await call(method, url, body);
        expect(r.statusCode, `${method} ${url}`).toBe(404);
        expect(r.json(), `${method} ${url}`).toEqual({
          statusCode: 404,
          error: 'Not Found',
          code: 'PAIR_NOT_FOUND',
          message: 'pair nope not found',
        });
      }
    });

    it('changes the threshold profile and shows the new detection times', async () => {
      const p = await link();
      const profile = defaultThresholdProfile();
      profile.active.down = { beats: 3, intervalMs: 2000 };
      const r = await call('PATCH', `/pairs/${p.id}`, { profile });
      expect(r.statusCode).toBe(200);
      expect(r.json().detection.active.down).toBe('Down after 3 × 2 s = 6 s');
      expect((await call('GET', `/pairs/${p.id}`)).json().profile.active.down).toEqual({ beats: 3, intervalMs: 2000 });
    });

    it('refuses an empty change, and weights that would fail back at once', async () => {
      const p = await link();
      const empty = await call('PATCH', `/pairs/${p.id}`, {});
      expect(empty.statusCode).toBe(400);
      expect(empty.json().message).toContain('name at least one setting to change');
      // switch the active to db-2 by forcing (nobody is Up), then enable auto-failover and try to prefer db-2... and back
      await call('PUT', `/pairs/${p.id}/auto-failover`, { enabled: true });
      const flip = await call('PATCH', `/pairs/${p.id}`, { weights: { primary: 10, secondary: 90 } });
      expect(flip.statusCode).toBe(409);
      expect(flip.json()).toMatchObject({ code: 'PREFERRED_NODE_WOULD_CHANGE' });
      expect(flip.json().message).toContain('these weights make db-2 the preferred node while db-1 is active');
      await call('PUT', `/pairs/${p.id}/auto-failover`, { enabled: false });
      const ok = await call('PATCH', `/pairs/${p.id}`, { weights: { primary: 10, secondary: 90 } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().members.map((m: { preferred: boolean }) => m.preferred)).toEqual([false, true]);
    });

    it('deletes a pair; its nodes stay enrolled and can be paired again', async () => {
      const p = await link();
      expect((await call('DELETE', `/pairs/${p.id}`)).statusCode).toBe(204);
      expect((await call('GET', `/pairs/${p.id}`)).statusCode).toBe(404);
      expect((await call('GET', '/nodes')).json().nodes).toHaveLength(3);
      await link({ name: 'orders-2' });
    });
  });

  describe('operator actions', () => {
    it('switchover to a member that is not Up: 409 with the reason; to a stranger: 400', async () => {
      const p = await link();
      const notUp = await call('POST', `/pairs/${p.id}/switchover`, { to: 'db-2' });
      expect(notUp.statusCode).toBe(409);
      expect(notUp.json()).toMatchObject({
        code: 'TARGET_NOT_UP',
        message:
          'node db-2 has no verdict yet (it has not earned Up since the server started watching); only an admin can force a switchover to it, by typing its name',
      });
      const stranger = await call('POST', `/pairs/${p.id}/switchover`, { to: 'db-3' });
      expect(stranger.statusCode).toBe(400);
      expect(stranger.json()).toMatchObject({
        code: 'NOT_A_MEMBER',
        message: 'node "db-3" is not a member of pair orders',
      });
      const bad = await call('POST', `/pairs/${p.id}/switchover`, { to: 'db-2', force: 'yes' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('body.force');
    });

    it('auto-failover and maintenance toggle, with the pair in the answer; bad bodies are 400', async () => {
      const p = await link();
      const on = await call('PUT', `/pairs/${p.id}/auto-failover`, { enabled: true });
      expect(on.statusCode).toBe(200);
      expect(on.json()).toMatchObject({ ok: true, message: 'auto-failover enabled', pair: { autoFailover: true } });
      const m = await call('PUT', `/pairs/${p.id}/maintenance`, { enabled: true });
      expect(m.json()).toMatchObject({ ok: true, pair: { maintenance: true, display: { state: 'maintenance' } } });
      expect((await call('PUT', `/pairs/${p.id}/maintenance`, { enabled: 'on' })).statusCode).toBe(400);
      expect((await call('PUT', `/pairs/${p.id}/auto-failover`, {})).statusCode).toBe(400);
      const kinds = (await call('GET', `/pairs/${p.id}/events?kind=config`))
        .json()
        .events.map((e: { message: string }) => e.message);
      expect(kinds[0]).toBe('maintenance on (by admin): automatic actions suspended, signals still evaluated');
    });

    it('drill answers what would happen, and names a stranger node', async () => {
      const p = await link();
      const r = await call('POST', `/pairs/${p.id}/drill`, { node: 'db-1' });
      expect(r.statusCode).toBe(200);
      expect(r.json().summary).toMatch(/^no switchover: no failover: waiting for a verdict on/);
      expect((await call('POST', `/pairs/${p.id}/drill`, { node: 'db-3' })).statusCode).toBe(400);
      // a drill changes nothing
      expect((await call('GET', `/pairs/${p.id}`)).json().epoch).toBe(0);
    });

    it('events page backwards and filter by kind; bad paging is 400', async () => {
      const p = await link();
      for (const enabled of [true, false, true]) await call('PUT', `/pairs/${p.id}/auto-failover`, { enabled });
      const first = (await call('GET', `/pairs/${p.id}/events?limit=2`)).json();
      expect(first.events).toHaveLength(2);
      expect(first.nextBefore).toBe(first.events[1].id);
      const next = (await call('GET', `/pairs/${p.id}/events?limit=2&before=${first.nextBefore}`)).json();
      expect(next.events[0].id).toBeLessThan(first.nextBefore);
      expect((await call('GET', `/pairs/${p.id}/events?limit=0`)).statusCode).toBe(400);
      expect((await call('GET', `/pairs/${p.id}/events?before=abc`)).statusCode).toBe(400);
    });
  });

  describe('alerts and fleet', () => {
    it('silent members raise node-down alerts; ack needs a comment; unknown ids are 404', async () => {
      const fast = defaultThresholdProfile();
      for (const role of ['active', 'passive'] as const) {
        fast[role].down = { beats: 1, intervalMs: 100 };
        fast[role].downHeartbeat = { enabled: false, beats: 1, intervalMs: 100 };
      }
      await link({ profile: fast });
      const open = await waitFor('node-down alerts', async () => {
        const alerts = (await call('GET', '/alerts')).json().alerts as unknown[];
        return alerts.length >= 3 ? alerts.map((a) => alertView.parse(a)) : undefined;
      });
      expect(open.map((a) => a.kind).sort()).toEqual(
        ['node-down', 'node-down', 'pair-outage'].slice(0, open.length).sort(),
      );
      const alert = open.find((a) => a.kind === 'node-down');
      if (!alert) throw new Error('no node-down alert');
      expect((await call('POST', `/alerts/${alert.id}/ack`, {})).statusCode).toBe(400);
      expect((await call('POST', `/alerts/${alert.id}/ack`, { comment: '   ' })).json().message).toContain('comment');
      const acked = await call('POST', `/alerts/${alert.id}/ack`, { comment: 'rack 4 power work' });
      expect(acked.statusCode).toBe(200);
      expect(acked.json()).toMatchObject({
        state: 'open-acknowledged',
        ack: { by: 'admin', comment: 'rack 4 power work' },
      });
      expect((await call('POST', '/alerts/99999/ack', { comment: 'x' })).json()).toMatchObject({
        statusCode: 404,
        code: 'ALERT_NOT_FOUND',
      });
      expect((await call('POST', '/alerts/abc/ack', { comment: 'x' })).statusCode).toBe(400);
      expect((await call('GET', '/alerts?state=maybe')).statusCode).toBe(400);
    });

    it('status and the global brake', async () => {
      await link();
      const status = await call('GET', '/status');
      expect(status.statusCode).toBe(200);
      expect(status.json()).toMatchObject({
        openAlerts: 0,
        brake: { engaged: false, limit: 3 },
        fleet: { pairedNodes: 2 },
      });
      const released = await call('POST', '/brake/release');
      expect(released.json()).toEqual({ engaged: false, autoSwitchoversInWindow: 0, limit: 3, windowMs: 600_000 });
    });
  });
});
