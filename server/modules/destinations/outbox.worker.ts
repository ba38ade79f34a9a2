import {
  type DestinationKind,
  emailConfig,
  snmpConfig,
  syslogConfig,
  webhookConfig,
} from '../../contract/destinations.ts';
import type { PrismaClient } from '../../db/client.ts';
import type { Clock } from '../../plugins/clock.ts';
import { DeliveryError, type Notification, type Sender } from './notification.ts';

/**
 * The outbox's delivery side. It reads pending deliveries from the database,
 * so work survives a restart; at most one attempt per destination runs at a
 * time (in order), and destinations never wait for each other. The HA
 * manager only ever inserts rows: a slow or dead destination cannot delay it.
 */

// biome-ignore lint/suspicious/noExplicitAny: each sender checks its own config with its own schema
export type SenderRegistry = Record<DestinationKind, Sender<any>>;

export const CONFIG_SCHEMAS = { webhook: webhookConfig, email: emailConfig, syslog: syslogConfig, snmp: snmpConfig };

export interface OutboxOptions {
  pollMs?: number;
  /** attempts before a delivery is marked failed */
  maxAttempts?: number;
  /** retry delays double from this, up to maxDelayMs */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Log {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export type AttemptResult =
  | { ok: true; durationMs: number }
  | { ok: false; retryable: boolean; error: string; durationMs: number };

/** Pure: when to try again after `attempts` failed attempts. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** One attempt, bounded by the destination's timeout even if its sender forgets to be. */
export async function attempt(
  sender: Sender<unknown>,
  config: unknown,
  notification: Notification,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<AttemptResult> {
  const started = Date.now();
  const controller = new AbortController();
  const onOuter = () => controller.abort(new DeliveryError('the server is stopping', true));
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeliveryError(`no answer within ${timeoutMs} ms`, true));
      reject(new DeliveryError(`no answer within ${timeoutMs} ms`, true));
    }, timeoutMs + 1000);
  });
  try {
    await Promise.race([sender.send(config, notification, { signal: controller.signal, timeoutMs }), guard]);
    return { ok: true, durationMs: Date.now() - started };
  } catch (error) {
    const retryable = error instanceof DeliveryError ? error.retryable : true;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, retryable, error: message.slice(0, 500), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  private readonly busy = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly o: Required<OutboxOptions>;

  constructor(
    private readonly db: PrismaClient,
    private readonly clock: Clock,
    private readonly senders: SenderRegistry,
    private readonly log: Log,
    options: OutboxOptions = {},
  ) {
    this.o = { pollMs: 500, maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 300_000, ...options };
  }

  start(): void {
    this.schedule(0);
  }

  /** Something was queued: look now rather than at the next poll. */
  wake(): void {
    if (!this.stopped && !this.ticking) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopping.abort();
    await Promise.allSettled([...this.busy.values()]);
  }

  /** Resolves when no attempt is in flight (tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.busy.values()]);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      const due = await this.db.delivery.findMany({
        where: { state: 'pending', nextAttemptAt: { lte: new Date(this.clock.now()) } },
        orderBy: { id: 'asc' },
        take: 200,
        select: { id: true, destinationId: true },
      });
      // The oldest due delivery of each idle destination: in order, one at a time per destination.
      const next = new Map<string, number>();
      for (const d of due)
        if (!next.has(d.destinationId) && !this.busy.has(d.destinationId)) next.set(d.destinationId, d.id);
      for (const [destinationId, id] of next) {
        const run = this.deliver(id).finally(() => {
          this.busy.delete(destinationId);
          this.wake();
        });
        this.busy.set(destinationId, run);
      }
    } catch (error) {
      if (!this.stopped) this.log.error({ err: error }, 'outbox: could not read pending deliveries');
    } finally {
      this.ticking = false;
      this.schedule(this.o.pollMs);
    }
  }

  private async deliver(id: number): Promise<void> {
    const row = await this.db.delivery.findUnique({ where: { id }, include: { destination: true } });
    if (row?.state !== 'pending') return;
    const now = () => new Date(this.clock.now());
    const kind = row.destination.kind as DestinationKind;
    const sender = this.senders[kind];
    const parsed = CONFIG_SCHEMAS[kind]?.safeParse(JSON.parse(row.destination.config));
    if (!row.destination.enabled || !sender || !parsed?.success) {
      const why = !row.destination.enabled
        ? 'the destination is disabled'
        : 'the destination has no valid configuration';
      await this.db.delivery.update({ where: { id }, data: { state: 'failed', lastError: why } });
      return;
    }
    const notification = JSON.parse(row.payload) as Notification;
    const result = await attempt(sender, parsed.data, notification, parsed.data.timeoutMs, this.stopping.signal);
    if (this.stopped && !result.ok) return; // cut short by our own shutdown: stays pending, untouched
    const attempts = row.attempts + 1;
    if (result.ok) {
      await this.db.delivery.update({
        where: { id },
        data: { state: 'delivered', attempts, deliveredAt: now(), lastError: null, nextAttemptAt: null },
      });
      return;
    }
    const giveUp = !result.retryable || attempts >= this.o.maxAttempts;
    await this.db.delivery.update({
      where: { id },
      data: giveUp
        ? { state: 'failed', attempts, lastError: result.error, nextAttemptAt: null }
        : {
            attempts,
            lastError: result.error,
            nextAttemptAt: new Date(this.clock.now() + retryDelay(attempts, this.o.baseDelayMs, this.o.maxDelayMs)),
          },
    });
    const context = { deliveryId: id, destination: row.destination.name, kind, attempts, error: result.error };
    if (giveUp) this.log.error(context, 'outbox: delivery failed for good');
    else this.log.warn(context, 'outbox: delivery attempt failed; will retry');
  }
}
