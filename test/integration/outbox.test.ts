import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destinationView } from '../../server/contract/destinations.ts';
import { checkErrors } from '../../server/modules/alerts/logging-check.ts';
import { keepSecrets, MASK, maskSecrets } from '../../server/modules/destinations/destinations.service.ts';
import type { Notification } from '../../server/modules/destinations/notification.ts';
import { retryDelay } from '../../server/modules/destinations/outbox.worker.ts';
import { verifyWebhook } from '../../server/modules/destinations/senders/signature.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/receivers.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'a-webhook-signing-secret';

describe('outbox pure parts', () => {
  it('retries double from the base delay up to the cap', () => {
    expect([1, 2, 3, 4, 10, 30].map((n) => retryDelay(n, 1000, 300_000))).toEqual([
      1000, 2000, 4000, 8000, 300_000, 300_000,
    ]);
  });

  it('masks secrets at any depth, and keeps stored secrets when an update leaves them out or masked', () => {
    const stored = {
      url: 'http://x',
      secret: 'abcdefghijklmnop',
      v3: { user: 'u', authKey: 'k1k1k1k1', privKey: 'p1p1p1p1' },
    };
    expect(maskSecrets(stored)).toEqual({
      url: 'http://x',
      secret: MASK,
      v3: { user: 'u', authKey: MASK, privKey: MASK },
    });
    expect(keepSecrets({ url: 'http://y', secret: MASK, v3: { user: 'v', privKey: 'p2p2p2p2' } }, stored)).toEqual({
      url: 'http://y',
      secret: 'abcdefghijklmnop',
      v3: { user: 'v', authKey: 'k1k1k1k1', privKey: 'p2p2p2p2' },
    });
  });

  it('the logging check raises one alert for new HA errors only', () => {
    const errors = [
      { id: 5, at: new Date('2026-11-23T10:00:00Z'), message: 'failover to db-2 failed at promote' },
      { id: 9, at: new Date('2026-11-23T10:05:00Z'), message: 'db-1 reports the passive role' },
    ];
    const first = checkErrors(errors, 0);
    expect(first.watermark).toBe(9);
    expect(first.alert).toMatchObject({ kind: 'auto-failover-logging', ackOnly: true, key: 'auto-failover-logging' });
    expect(first.alert?.message).toContain(
      '2 HA manager errors in the last hour (2 new); latest at 2026-11-23T10:05:00.000Z: db-1 reports',
    );
    expect(checkErrors(errors, 9)).toEqual({ alert: null, watermark: 9 });
  });
});

describe('alerts reach a webhook through the outbox', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  const call = (method: string, url: string, payload?: unknown) =>
    injectAsAdmin(t.app, {
      method: method as 'GET',
      url: `/api/v1${url}`,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  async function destination(patch: Record<string, unknown> = {}) {
    const r = await call('POST', '/destinations', {
      name: 'noc-hook',
      kind: 'webhook',
      config: { url: receiver.url, secret: SECRET, timeoutMs: 1000 },
      ...patch,
    });
    expect(r.statusCode, r.body).toBe(201);
    return destinationView.parse(r.json());
  }

  /** Two enrolled nodes that never beat, linked with Down after 1 × 100 ms: two node-down alerts and an outage. */
  async function silentPair() {
    for (const name of ['o-1', 'o-2']) await call('POST', '/nodes', { name, address: 'h' });
    const role = {
      up: { beats: 1, intervalMs: 100 },
      down: { beats: 1, intervalMs: 100 },
      downHeartbeat: { enabled: false, beats: 1, intervalMs: 100 },
    };
    const r = await call('POST', '/pairs', {
      name: 'out',
      primary: 'o-1',
      secondary: 'o-2',
      profile: { active: role, passive: role },
    });
    return r.json().id as string;
  }

  const received = () => receiver.requests.map((r) => JSON.parse(r.body) as Notification);

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({}, { outbox: { pollMs: 50, baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 4 } });
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('delivers raised alerts signed, with an idempotency key, and their acknowledgement', async () => {
    await destination();
    await silentPair();
    await waitFor(
      'three raised alerts delivered',
      () => received().filter((n) => n.transition === 'raised').length === 3,
    );
    for (const r of receiver.requests) {
      expect(
        verifyWebhook(SECRET, String(r.headers['x-switchyard-signature']), r.body, Date.now() / 1000, 300),
      ).toMatchObject({ ok: true });
      const n = JSON.parse(r.body) as Notification;
      expect(r.headers['idempotency-key']).toBe(n.idempotencyKey);
    }
    const kinds = received()
      .map((n) => n.alert.kind)
      .sort();
    expect(kinds).toEqual(['node-down', 'node-down', 'pair-outage']);
    expect(received().every((n) => n.pairName === 'out')).toBe(true);

    const alert = received().find((n) => n.alert.kind === 'node-down')?.alert;
    await call('POST', `/alerts/${alert?.id}/ack`, { comment: 'known: lab nodes' });
    const acked = await waitFor('the acknowledgement delivered', () =>
      received().find((n) => n.transition === 'acknowledged'),
    );
    expect(acked.alert).toMatchObject({
      id: alert?.id,
      state: 'open-acknowledged',
      ack: { comment: 'known: lab nodes' },
    });
    expect(new Set(received().map((n) => n.idempotencyKey)).size).toBe(receiver.requests.length);
  });

  it('retries after 500s with the same key, then delivers; the destination shows it', async () => {
    receiver.answer = (_body, i) => (i < 2 ? 500 : 200);
    const d = await destination({ filter: { minSeverity: 'critical', kinds: ['node-down'] } });
    await silentPair();
    // only the active's node-down is critical
    await waitFor('delivered after retries', () => receiver.requests.some((r) => r.status === 200));
    const keys = new Set(receiver.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    const deliveries = await waitFor('the delivery recorded', async () => {
      const list = (await call('GET', `/destinations/${d.id}/deliveries`)).json().deliveries;
      return list[0]?.state === 'delivered' ? list : undefined;
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ state: 'delivered', attempts: 3, transition: 'raised', lastError: null });
    const view = (await call('GET', `/destinations/${d.id}`)).json();
    expect(view).toMatchObject({ lastDelivery: { state: 'delivered', attempts: 3 }, pending: 0, failed: 0 });
  });

  it('records a final failure, visibly: 400 is not retried; 500 gives up after the last attempt', async () => {
    receiver.answer = (body) => (JSON.parse(body).alert.kind === 'pair-outage' ? 400 : 500);
    const d = await destination();
    await silentPair();
    const view = await waitFor('every delivery failed for good', async () => {
      const v = (await call('GET', `/destinations/${d.id}`)).json();
      return v.failed === 3 && v.pending === 0 ? v : undefined;
    });
    expect(view.lastDelivery.state).toBe('failed');
    const deliveries = (await call('GET', `/destinations/${d.id}/deliveries`)).json().deliveries as {
      attempts: number;
      lastError: string;
      state: string;
    }[];
    const outage = deliveries.find((x) => x.attempts === 1);
    expect(outage?.lastError).toMatch(/400/);
    expect(deliveries.filter((x) => x.attempts === 4)).toHaveLength(2);
  });

  it('"send test" answers at once with the outcome and records it', async () => {
    const d = await destination();
    const ok = await call('POST', `/destinations/${d.id}/test`);
    expect(ok.json()).toMatchObject({ ok: true });
    expect(received()[0]).toMatchObject({ transition: 'test' });
    receiver.answer = () => 503;
    const bad = await call('POST', `/destinations/${d.id}/test`);
    expect(bad.json()).toMatchObject({ ok: false, retryable: true });
    expect(bad.json().error).toMatch(/503/);
    const deliveries = (await call('GET', `/destinations/${d.id}/deliveries`)).json().deliveries;
    expect(deliveries.map((x: { state: string }) => x.state)).toEqual(['failed', 'delivered']);
  });

  it('keeps secrets write-only, and names a bad field', async () => {
    const d = await destination();
    expect(d.config).toMatchObject({ url: receiver.url, secret: MASK });
    const list = await call('GET', '/destinations');
    expect(list.body).not.toContain(SECRET);
    const renamed = await call('PATCH', `/destinations/${d.id}`, {
      config: { url: receiver.url, secret: MASK, timeoutMs: 2000 },
    });
    expect(renamed.statusCode).toBe(200);
    expect((await call('POST', `/destinations/${d.id}/test`)).json().ok).toBe(true);
    expect(
      verifyWebhook(
        SECRET,
        String(receiver.requests.at(-1)?.headers['x-switchyard-signature']),
        receiver.requests.at(-1)?.body ?? '',
        Date.now() / 1000,
        300,
      ),
    ).toMatchObject({ ok: true });

    const bad = await call('POST', '/destinations', {
      name: 'x',
      kind: 'webhook',
      config: { url: 'ftp://x', secret: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((x: { field: string }) => x.field)).toEqual(
      expect.arrayContaining(['body.config.url', 'body.config.secret']),
    );
    const badPatch = await call('PATCH', `/destinations/${d.id}`, { config: { url: 'nope' } });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().message).toMatch(/body\.config\.url/);
    expect((await call('GET', '/destinations/nope')).statusCode).toBe(404);
    expect((await call('POST', '/destinations/nope/test')).statusCode).toBe(404);
    const snmp = await call('POST', '/destinations', {
      name: 's',
      kind: 'snmp',
      config: { host: '127.0.0.1', version: 'v3' },
    });
    expect(snmp.statusCode).toBe(400);
    expect(snmp.json().message).toContain('v3 needs user, keys and protocols');
  });
});

describe('the HA auto-failover logging check (seed 004)', () => {
  it('raises an alert for HA manager errors of the last hour, closed only by acknowledgement', async () => {
    const t = await startTestApp({}, { alerts: { loggingCheckEveryMs: 100 } });
    try {
      const logged = (message: string) =>
        t.app.db.event.create({ data: { at: new Date(), kind: 'switchover-failed', message, actor: 'system' } });
      const open = async () =>
        (await injectAsAdmin(t.app, { url: '/api/v1/alerts' }))
          .json()
          .alerts.filter((a: { kind: string }) => a.kind === 'auto-failover-logging');
      await logged('failover to db-2 failed at promote: promote on db-2: exit 1');
      const [alert] = await waitFor('the logging alert', async () => ((await open()).length > 0 ? open() : undefined));
      expect(alert).toMatchObject({ severity: 'major', ackOnly: true, state: 'open' });
      expect(alert.message).toContain('1 HA manager error in the last hour (1 new)');
      // old errors alone raise nothing new
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await open())[0].count).toBe(1);
      const acked = await injectAsAdmin(t.app, {
        method: 'POST',
        url: `/api/v1/alerts/${alert.id}/ack`,
        payload: { comment: 'db-2 hook fixed' },
      });
      expect(acked.json().state).toBe('closed-acknowledged');
      await logged('failover to db-1 failed at demote');
      const [next] = await waitFor('a new alert for the new error', async () => {
        const list = await open();
        return list.length > 0 && list[0].id !== alert.id ? list : undefined;
      });
      expect(next.message).toContain('2 HA manager errors in the last hour (1 new)');
    } finally {
      await t.close();
    }
  });
});
