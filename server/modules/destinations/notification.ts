import type { AlertView } from '../../contract/alerts.ts';

/**
 * What every destination receives for one alert transition. The idempotency
 * key is the same on every attempt and every destination, so a receiver can
 * drop a duplicate (delivery is at least once: a crash between sending and
 * recording may send again, never silently lose).
 */
export type Transition = 'raised' | 'repeated' | 'cleared' | 'acknowledged' | 'test';

export interface Notification {
  idempotencyKey: string;
  transition: Transition;
  /** ISO time of the transition */
  at: string;
  alert: AlertView;
  pairName: string | null;
  nodeName: string | null;
  /** this Switchyard server (host name), for receivers that hear from several */
  source: string;
}

/** A failed attempt: `retryable` ones are tried again with backoff, the others fail at once. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface SendContext {
  /** abort when it fires: the attempt has taken too long */
  signal: AbortSignal;
  timeoutMs: number;
}

/** One kind of destination. `send` resolves once the receiver has it (or the datagram is out, for UDP). */
export interface Sender<C> {
  send(config: C, notification: Notification, context: SendContext): Promise<void>;
}

/** RFC 5424 severity for an alert severity (critical → 2 crit, major → 3 err, minor → 4 warning, info → 6). */
export function syslogSeverity(severity: AlertView['severity']): number {
  return { critical: 2, major: 3, minor: 4, info: 6 }[severity];
}
