import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginToken } from '../helpers/auth.ts';
import { apiAt } from '../helpers/ha-cluster.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/receivers.ts';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

interface DeliveryRow {
  idempotencyKey: string;
  state: string;
  attempts: number;
}

describe('the outbox across a server crash', () => {
  const temp = makeTempDir();
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
    temp.cleanup();
  });

  it('alerts written but undelivered when the server is killed are each delivered exactly once after a restart', async () => {
    const env = { SWITCHYARD_DATA_DIR: join(temp.path, 'data'), PORT: String(await freePort()) };
    const receiverPort = await freePort(); // nothing listens there yet: every attempt is refused
    server = await startServerProcess(env);
    const api = apiAt(server.url, await loginToken(server.url));
    const created = await api<{ id: string }>('POST', '/destinations', {
      name: 'noc',
      kind: 'webhook',
      config: { url: `http://127.0.0.1:${receiverPort}/hook`, secret: 'a-webhook-signing-secret', timeoutMs: 1000 },
    });
    expect(created.status).toBe(201);
    const destination = created.body.id;

    // two silent nodes with Down after 1 × 100 ms: two node-down alerts and a pair outage
    for (const name of ['c-1', 'c-2']) await api('POST', '/nodes', { name, address: 'h' });
    const role = {
      up: { beats: 1, intervalMs: 100 },
      down: { beats: 1, intervalMs: 100 },
      downHeartbeat: { enabled: false, beats: 1, intervalMs: 100 },
    };
    await api('POST', '/pairs', {
      name: 'crash',
      primary: 'c-1',
      secondary: 'c-2',
      profile: { active: role, passive: role },
    });

    const deliveries = () =>
      api<{ deliveries: DeliveryRow[] }>('GET', `/destinations/${destination}/deliveries`).then(
        (r) => r.body.deliveries,
      );
    const undelivered = await waitFor('three deliveries tried and refused', async () => {
      const rows = await deliveries();
      return rows.length === 3 && rows.every((d) => d.state === 'pending' && d.attempts >= 1) ? rows : undefined;
    });

    expect(await server.stop('SIGKILL')).toBeNull();
    receiver = await startWebhookReceiver(receiverPort);
    server = await startServerProcess(env);

    const expected = undelivered.map((d) => d.idempotencyKey).sort();
    await waitFor(
      'all three delivered',
      () => new Set(receiver?.requests.map((r) => r.headers['idempotency-key'])).size === 3,
      {
        timeoutMs: 30_000,
      },
    );
    const after = await waitFor('the outbox records them', async () => {
      const rows = await deliveries();
      return rows.every((d) => d.state === 'delivered') ? rows : undefined;
    });
    expect(receiver.requests.map((r) => r.headers['idempotency-key']).sort()).toEqual(expected);
    // nothing new was queued by the restart (silent nodes are judged again only after the restart grace)
    expect(after).toHaveLength(3);
  }, 90_000);
});
