import type { PrismaClient } from '../../db/client.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { AlertEffect } from '../ha/ha-engine.ts';
import type { AlertsRepository } from './alerts.repository.ts';

/**
 * Seed 004's "HA Auto-Failover Logging" condition: every 10 s, look in the
 * event log of the last hour for errors of the HA manager; new ones raise an
 * alert that has no off event (it closes only when acknowledged).
 */

/** Events that mean the HA manager could not do what it decided, or found the nodes disagreeing with it. */
export const HA_ERROR_KINDS = ['switchover-failed', 'role-report'];
export const WINDOW_MS = 60 * 60_000;

export interface HaError {
  id: number;
  at: Date;
  message: string;
}

/** Pure: the alert for errors newer than the watermark, and the new watermark. */
export function checkErrors(
  errors: HaError[],
  watermark: number,
): { alert: Extract<AlertEffect, { type: 'raise-alert' }> | null; watermark: number } {
  const fresh = errors.filter((e) => e.id > watermark).sort((a, b) => a.id - b.id);
  const latest = fresh.at(-1);
  if (!latest) return { alert: null, watermark };
  const all = errors.length;
  return {
    watermark: latest.id,
    alert: {
      type: 'raise-alert',
      key: 'auto-failover-logging',
      kind: 'auto-failover-logging',
      severity: 'major',
      ackOnly: true,
      message:
        `${all} HA manager error${all === 1 ? '' : 's'} in the last hour (${fresh.length} new); latest at ${latest.at.toISOString()}: ${latest.message}`.slice(
          0,
          2000,
        ),
    },
  };
}

export class LoggingCheck {
  private timer: NodeJS.Timeout | null = null;
  private watermark = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly alerts: AlertsRepository,
    private readonly clock: Clock,
    private readonly onRaised: () => void,
    private readonly everyMs = 10_000,
  ) {}

  /** Errors already covered by the last such alert (before a restart) are not raised again. */
  async start(): Promise<void> {
    const last = await this.db.alert.findFirst({
      where: { kind: 'auto-failover-logging' },
      orderBy: { lastRaisedAt: 'desc' },
    });
    if (last) {
      const covered = await this.db.event.findFirst({
        where: { kind: { in: HA_ERROR_KINDS }, at: { lte: last.lastRaisedAt } },
        orderBy: { id: 'desc' },
        select: { id: true },
      });
      this.watermark = covered?.id ?? 0;
    }
    this.timer = setInterval(() => void this.run(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async run(): Promise<void> {
    const now = this.clock.now();
    const errors = await this.db.event.findMany({
      where: { kind: { in: HA_ERROR_KINDS }, at: { gte: new Date(now - WINDOW_MS) } },
      select: { id: true, at: true, message: true },
    });
    const result = checkErrors(errors, this.watermark);
    if (!result.alert) return;
    await this.alerts.raise(result.alert, new Date(now));
    this.watermark = result.watermark;
    this.onRaised();
  }
}
