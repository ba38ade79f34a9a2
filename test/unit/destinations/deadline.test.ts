import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../server/modules/destinations/notification.ts';
import { withDeadline } from '../../../server/modules/destinations/senders/deadline.ts';
import { sendContext } from '../../helpers/notification.ts';

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('withDeadline', () => {
  it('passes a result through and clears its timer', async () => {
    const before = activeTimers();
    await expect(withDeadline(sendContext(60_000), async () => 'done')).resolves.toBe('done');
    expect(activeTimers()).toBe(before);
  });

  it('aborts the signal after timeoutMs with a retryable error', async () => {
    let seen: AbortSignal | undefined;
    const attempt = withDeadline(sendContext(50), (signal) => {
      seen = signal;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket destroyed'))));
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'DeliveryError',
      retryable: true,
      message: 'timed out after 50 ms',
    });
    expect(seen?.aborted).toBe(true);
  });

  it('ends on time even when the work ignores the signal', async () => {
    await expect(withDeadline(sendContext(50), () => new Promise(() => {}))).rejects.toMatchObject({
      message: 'timed out after 50 ms',
    });
  });

  it('follows the caller’s signal', async () => {
    const caller = new AbortController();
    const attempt = withDeadline({ signal: caller.signal, timeoutMs: 60_000 }, () => new Promise(() => {}));
    caller.abort(new Error('shutting down'));
    await expect(attempt).rejects.toMatchObject({ retryable: true, message: 'aborted: shutting down' });
  });

  it('does not start work for a caller that already aborted', async () => {
    const caller = new AbortController();
    caller.abort();
    let started = false;
    const attempt = withDeadline({ signal: caller.signal, timeoutMs: 1000 }, async () => {
      started = true;
    });
    await expect(attempt).rejects.toMatchObject({ name: 'DeliveryError', retryable: true });
    expect(started).toBe(false);
  });

  it('passes the sender’s own errors through', async () => {
    const refused = new DeliveryError('HTTP 400', false);
    await expect(withDeadline(sendContext(1000), () => Promise.reject(refused))).rejects.toBe(refused);
  });
});
