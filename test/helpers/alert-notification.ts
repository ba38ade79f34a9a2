import type { AlertView } from '../../server/contract/alerts.ts';
import type { Notification } from '../../server/modules/destinations/notification.ts';

/** A complete notification for sender tests; every field is fixed so receivers' logs can be compared exactly. */
export function makeNotification(
  overrides: Partial<Omit<Notification, 'alert'>> & { alert?: Partial<AlertView> } = {},
): Notification {
  const { alert, ...rest } = overrides;
  return {
    idempotencyKey: 'alert-42-raised-1',
    transition: 'raised',
    at: '2026-11-23T16:30:05.123Z',
    pairName: 'db-pair',
    nodeName: 'db-1',
    source: 'switchyard-1.example',
    ...rest,
    alert: {
      id: 42,
      key: 'node-down:db-1',
      kind: 'node-down',
      severity: 'critical',
      state: 'open',
      pairId: 'pair-1',
      nodeId: 'node-1',
      message: 'Node db-1 missed 3 heartbeats',
      ackOnly: false,
      raisedAt: '2026-11-23T16:30:00.000Z',
      lastRaisedAt: '2026-11-23T16:30:00.000Z',
      count: 0,
      clearedAt: null,
      ack: null,
      ...alert,
    },
  };
}
