import type { AlertState } from '../../contract/alerts.ts';
import type { PrismaClient } from '../../db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { enqueueAlertTransition } from '../destinations/outbox.repository.ts';
import type { AlertEffect } from '../ha/ha-engine.ts';

export type { Alert as AlertRow } from '../../generated/prisma/client.ts';

type Tx = Prisma.TransactionClient | PrismaClient;

const OPEN: AlertState[] = ['open', 'open-acknowledged'];

/**
 * Alert rows and their life cycle (SPEC §5):
 *   raise  an open alert with the same key counts up (no new row); otherwise a new open row
 *   clear  the off event: open → closed, open-acknowledged → closed-acknowledged;
 *          alerts without an off event (ackOnly) ignore it
 *   ack    open → closed-acknowledged when ackOnly or already cleared, else open-acknowledged;
 *          closed → closed-acknowledged
 */
export async function applyAlertEffect(tx: Tx, pairId: string | null, at: Date, e: AlertEffect): Promise<void> {
  switch (e.type) {
    case 'raise-alert': {
      const open = await tx.alert.findFirst({ where: { key: e.key, state: { in: OPEN } } });
      if (open) {
        // A repeat counts up in place; destinations already heard of this alert.
        await tx.alert.update({
          where: { id: open.id },
          data: { count: { increment: 1 }, lastRaisedAt: at, message: e.message, severity: e.severity },
        });
        return;
      }
      const created = await tx.alert.create({
        data: {
          key: e.key,
          kind: e.kind,
          severity: e.severity,
          state: 'open',
          pairId,
          nodeId: e.nodeId ?? null,
          message: e.message,
          ackOnly: e.ackOnly,
          raisedAt: at,
          lastRaisedAt: at,
        },
      });
      await enqueueAlertTransition(tx, created, 'raised', at);
      return;
    }
    case 'clear-alert': {
      const open = await tx.alert.findMany({ where: { key: e.key, state: { in: OPEN }, ackOnly: false } });
      for (const row of open) {
        const cleared = await tx.alert.update({
          where: { id: row.id },
          data: { state: row.state === 'open' ? 'closed' : 'closed-acknowledged', clearedAt: at },
        });
        await enqueueAlertTransition(tx, cleared, 'cleared', at);
      }
      return;
    }
    case 'acknowledge-alert': {
      const rows = await tx.alert.findMany({ where: { key: e.key, state: { in: [...OPEN, 'closed'] } } });
      for (const row of rows) {
        const acked = await tx.alert.update({ where: { id: row.id }, data: ackData(row, e.actor, e.comment, at) });
        await enqueueAlertTransition(tx, acked, 'acknowledged', at);
      }
      return;
    }
  }
}

function ackData(row: { state: string; ackOnly: boolean }, by: string, comment: string, at: Date) {
  const closes = row.ackOnly || row.state === 'closed';
  return { state: closes ? 'closed-acknowledged' : 'open-acknowledged', ackBy: by, ackAt: at, ackComment: comment };
}

export function alertsRepository(db: PrismaClient) {
  return {
    async list(query: { state: 'open' | 'all'; pairId?: string; limit: number }) {
      return db.alert.findMany({
        where: {
          ...(query.state === 'open' ? { state: { in: OPEN } } : {}),
          ...(query.pairId ? { pairId: query.pairId } : {}),
        },
        orderBy: { id: 'desc' },
        take: query.limit,
      });
    },
    async get(id: number) {
      return db.alert.findUnique({ where: { id } });
    },
    /** Acknowledges one alert by id; null when it does not exist. */
    async acknowledge(id: number, by: string, comment: string, at: Date) {
      return db.$transaction(async (tx) => {
        const row = await tx.alert.findUnique({ where: { id } });
        if (!row) return null;
        if (row.state === 'closed-acknowledged') return row;
        const acked = await tx.alert.update({ where: { id }, data: ackData(row, by, comment, at) });
        await enqueueAlertTransition(tx, acked, 'acknowledged', at);
        return acked;
      });
    },

    /** Raises (or counts up) an alert of no pair, with its deliveries, in one transaction. */
    async raise(effect: Extract<AlertEffect, { type: 'raise-alert' }>, at: Date) {
      await db.$transaction(async (tx) => applyAlertEffect(tx, null, at, effect));
    },
    async countOpen() {
      return db.alert.count({ where: { state: { in: OPEN } } });
    },
  };
}

export type AlertsRepository = ReturnType<typeof alertsRepository>;
