import { afterEach, describe, expect, it } from 'vitest';
import { adminToken } from '../helpers/auth.ts';
import { activeName, type Cluster, startCluster } from '../helpers/ha-cluster.ts';
import { startHangingServer } from '../helpers/receivers.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// Every destination accepts connections and never answers. A failover must
// still complete, and it must not have waited on any of them: when it
// completes, not one delivery attempt of its alerts has ended yet.

describe('destinations that hang never delay the HA manager', () => {
  const temp = makeTempDir();
  let t: TestApp;
  let c: Cluster | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await c?.stopAll();
    await t?.app.close();
    await Promise.all(closers.map((close) => close()));
    temp.cleanup();
  });

  it('a failover completes while webhook, e-mail and syslog destinations hang', async () => {
    t = await startTestApp({}, { listen: true, dir: temp.path });
    const token = await adminToken(t.app);
    c = await startCluster({ baseUrl: baseUrl(t.app), token, dir: temp.path, autoFailover: true });
    const hangs = await Promise.all([startHangingServer(), startHangingServer(), startHangingServer()]);
    for (const h of hangs) closers.push(h.close);
    const [web, mail, log] = hangs.map((h) => h.port);
    const timeoutMs = 5000;
    for (const body of [
      {
        name: 'hook',
        kind: 'webhook',
        config: { url: `http://127.0.0.1:${web}/`, secret: 'a-webhook-signing-secret', timeoutMs },
      },
      {
        name: 'mail',
        kind: 'email',
        config: { host: '127.0.0.1', port: mail, from: 'sy@example.com', to: ['noc@example.com'], timeoutMs },
      },
      { name: 'log', kind: 'syslog', config: { host: '127.0.0.1', port: log, transport: 'tcp', timeoutMs } },
    ]) {
      expect((await c.api('POST', '/destinations', body)).status).toBe(201);
    }
    await c.waitForPair('both Up', (p) => p.display.state === 'normal');

    await c.agents['db-1']?.stop('SIGKILL');
    await c.waitForPair('failed over', (p) => activeName(p) === 'db-2' && !p.switchover);

    const completed = await t.app.db.event.findFirst({
      where: { kind: 'switchover-completed' },
      orderBy: { id: 'asc' },
    });
    const decision = await t.app.db.event.findFirst({ where: { kind: 'decision' }, orderBy: { id: 'asc' } });
    expect(completed && decision && completed.id > decision.id).toBe(true);
    // the node-down alert was raised with the failover decision; the failover's own alert on completion
    const deliveries = await t.app.db.delivery.findMany({ include: { destination: true } });
    const kinds = new Set(deliveries.map((d) => d.destination.kind));
    expect(kinds).toEqual(new Set(['webhook', 'email', 'syslog']));
    // Not one attempt to the webhook or the mail server has ended: the switchover waited for neither.
    // (Syslog over TCP needs no answer: the kernel takes the frame even from a peer that never reads.)
    const answering = deliveries.filter((d) => d.destination.kind !== 'syslog');
    expect(answering.length).toBeGreaterThanOrEqual(4);
    expect(answering.filter((d) => d.attempts > 0 || d.state !== 'pending')).toEqual([]);
    // and the hanging servers really are being talked to
    await waitFor('connections to every hanging destination', () => hangs.every((h) => h.sockets.length > 0));
  }, 60_000);
});
