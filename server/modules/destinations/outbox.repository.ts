import { hostname } from 'node:os';
import type { AlertView } from '../../contract/alerts.ts';
import { destinationFilter } from '../../contract/destinations.ts';
import type { PrismaClient } from '../../db/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { AlertRow } from '../alerts/alerts.repository.ts';
import { alertView } from '../alerts/alerts.service.ts';
import type { Notification, Transition } from './notification.ts';

type Tx = Prisma.TransactionClient | PrismaClient;

const SEVERITY_RANK: Record<AlertView['severity'], number> = { info: 0, minor: 1, major: 2, critical: 3 };
const SOURCE = hostname();

export function idempotencyKey(alertId: number, transition: Transition): string {
  return `switchyard-alert-${alertId}-${transition}`;
}

async function notificationFor(tx: Tx, row: AlertRow, transition: Transition, at: Date): Promise<Notification> {
  const pair = row.pairId ? await tx.pair.findUnique({ where: { id: row.pairId }, select: { name: true } }) : null;
  const node = row.nodeId ? await tx.node.findUnique({ where: { id: row.nodeId }, select: { name: true } }) : null;
  return {
    idempotencyKey: idempotencyKey(row.id, transition),
    transition,
    at: at.toISOString(),
    alert: alertView(row),
    pairName: pair?.name ?? null,
    nodeName: node?.name ?? null,
    source: SOURCE,
  };
}

/**
 * The outbox's write side, called inside the transaction that changes the
 * alert: one pending delivery per enabled destination whose filter takes it.
 * The alert and its deliveries are durable together, or not at all.
 */
export async function enqueueAlertTransition(tx: Tx, row: AlertRow, transition: Transition, at: Date): Promise<number> {
  const destinations = await tx.destination.findMany({ where: { enabled: true } });
  if (destinations.length === 0) return 0;
  const notification = await notificationFor(tx, row, transition, at);
  let queued = 0;
  for (const d of destinations) {
    const filter = destinationFilter.parse(JSON.parse(d.filter));
    if (SEVERITY_RANK[notification.alert.severity] < SEVERITY_RANK[filter.minSeverity]) continue;
    if (filter.kinds && !filter.kinds.includes(notification.alert.kind)) continue;
    const exists = await tx.delivery.findUnique({
      where: { destinationId_idempotencyKey: { destinationId: d.id, idempotencyKey: notification.idempotencyKey } },
      select: { id: true },
    });
    if (exists) continue;
    await tx.delivery.create({
      data: {
        destinationId: d.id,
        alertId: row.id,
        transition,
        idempotencyKey: notification.idempotencyKey,
        payload: JSON.stringify(notification),
        state: 'pending',
        nextAttemptAt: at,
        createdAt: at,
      },
    });
    queued += 1;
  }
  return queued;
}
