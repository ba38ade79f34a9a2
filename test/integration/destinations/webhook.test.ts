import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookConfig } from '../../../server/contract/destinations.ts';
import {
  createWebhookSender,
  webhookPayload,
  webhookSender,
} from '../../../server/modules/destinations/senders/webhook.ts';
import { deliveryFailure as failure, sampleNotification, sendContext } from '../../helpers/notification.ts';
import { waitFor } from '../../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const secret = 'whsec-0123456789abcdef';
const notification = sampleNotification();

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver(secret);
});
afterEach(async () => {
  await receiver.close();
});

const config = (overrides: Record<string, unknown> = {}) =>
  webhookConfig.parse({ url: receiver.url, secret, ...overrides });
const send = (timeoutMs = 5000) => webhookSender.send(config(), notification, sendContext(timeoutMs));
describe('webhook sender against a verifying HTTP receiver', () => {
  it('delivers a signed JSON notification the receiver verifies (200)', async () => {
    await send();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.verification.ok).toBe(true);
    expect(request?.keyMatches).toBe(true);
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'alert-42:raised:1',
      'user-agent': `switchyard/${packageJson.version}`,
    });
    expect(request?.body).toEqual(webhookPayload(notification));
    expect(request?.body).toMatchObject({
      schema: 'switchyard.alert.v1',
      transition: 'raised',
      pairName: 'orders',
      alert: { id: 42, kind: 'pair-outage', severity: 'critical' },
    });
  });

  it('answers 500 with a retryable error; a repeat carries the same key and a fresh valid signature', async () => {
    receiver.respond({ status: 500, body: 'database is down' });
    const error = await failure(send());
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('HTTP 500 Internal Server Error: database is down');

    receiver.respond({ status: 200 });
    await send();
    expect(receiver.received.map((r) => [r.verification.ok, r.headers['idempotency-key']])).toEqual([
      [true, 'alert-42:raised:1'],
      [true, 'alert-42:raised:1'],
    ]);
  });

  it('answers 400 with a final error naming the status and the start of the body', async () => {
    receiver.respond({ status: 400, body: `{"error":"unknown field",\n"detail":"${'x'.repeat(1000)}"}` });
    const error = await failure(send());
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^HTTP 400 Bad Request: \{"error":"unknown field", "detail":"x+…$/);
    expect(error.message.length).toBeLessThan(260);
  });

  it.each([
    [408, true],
    [429, true],
    [502, true],
    [503, true],
    [401, false],
    [404, false],
    [410, false],
    [422, false],
  ])('answers %i → retryable %s', async (status, retryable) => {
    receiver.respond({ status });
    expect((await failure(send())).retryable).toBe(retryable);
  });

  it('does not follow a redirect with a signed POST', async () => {
    receiver.respond({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const error = await failure(send());
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('redirect to http://127.0.0.1:1/elsewhere not followed');
    expect(receiver.received).toHaveLength(1);
  });

  it('is refused by the receiver when signed with another secret', async () => {
    const error = await failure(
      webhookSender.send(config({ secret: 'not-the-receivers-secret' }), notification, sendContext(5000)),
    );
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain('HTTP 401');
    expect(receiver.received[0]?.verification).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('signs with the time of sending, so a receiver refuses a stale (replayed) request', async () => {
    const tenMinutesAgo = () => Date.now() - 10 * 60_000;
    const stale = createWebhookSender({ now: tenMinutesAgo });
    const error = await failure(stale.send(config(), notification, sendContext(5000)));
    expect(error).toMatchObject({ retryable: false });
    expect(receiver.received[0]?.verification).toEqual({ ok: false, reason: 'outside-tolerance' });
  });

  it('ends a hanging request by timeoutMs with a retryable error and leaves no socket or timer behind', async () => {
    receiver.respond('hang');
    const handles = () => {
      const info = process.getActiveResourcesInfo();
      return {
        sockets: info.filter((r) => r === 'TCPSocketWrap').length,
        timers: info.filter((r) => r === 'Timeout').length,
      };
    };
    const before = handles();
    const timeoutMs = 300;
    const started = Date.now();
    const error = await failure(send(timeoutMs));
    expect(Date.now() - started).toBeLessThan(5 * timeoutMs);
    expect(error).toMatchObject({ retryable: true, message: `timed out after ${timeoutMs} ms` });
    expect(receiver.received).toHaveLength(1); // it did arrive and was never answered
    await waitFor('the receiver to see the connection closed', async () => (await receiver.connections()) === 0);
    await waitFor('the sender to hold no socket or timer', () => {
      const now = handles();
      return now.sockets <= before.sockets && now.timers <= before.timers;
    });
  });

  it('reports a refused connection as retryable, naming only the origin', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}/hook?token=query-secret`;
    const error = await failure(webhookSender.send(config({ url }), notification, sendContext(2000)));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`could not reach http://127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('query-secret');
  });
});
