import { expect } from 'vitest';
import type { AlertView } from '../../server/contract/alerts.ts';
import { DeliveryError, type Notification } from '../../server/modules/destinations/notification.ts';

/** A raised critical pair-outage alert; override what a test is about. */
export function sampleNotification(
  overrides: Partial<Omit<Notification, 'alert'>> & { alert?: Partial<AlertView> } = {},
): Notification {
  const { alert, ...rest } = overrides;
  return {
    idempotencyKey: 'alert-42:raised:1',
    transition: 'raised',
    at: '2025-03-01T10:15:30.250Z',
    pairName: 'orders',
    nodeName: null,
    source: 'switchyard-1.example.net',
    ...rest,
    alert: {
      id: 42,
      key: 'pair-outage:pair-7',
      kind: 'pair-outage',
      severity: 'critical',
      state: 'open',
      pairId: 'pair-7',
      nodeId: null,
      message: 'Pair orders has no active node',
      ackOnly: false,
      raisedAt: '2025-03-01T10:15:30.250Z',
      lastRaisedAt: '2025-03-01T10:15:30.250Z',
      count: 0,
      clearedAt: null,
      ack: null,
      ...alert,
    },
  };
}

/** An attempt context whose caller never aborts: the sender's own deadline must end it. */
export function sendContext(timeoutMs: number): { signal: AbortSignal; timeoutMs: number } {
  return { signal: new AbortController().signal, timeoutMs };
}

/** The DeliveryError a send must fail with (the test fails if it succeeds or fails otherwise). */
export async function deliveryFailure(attempt: Promise<unknown>): Promise<DeliveryError> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}
