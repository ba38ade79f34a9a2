import type { PrismaClient } from '../../db/client.ts';

export interface NewEvent {
  at: Date;
  kind: string;
  message: string;
  pairId?: string;
  nodeId?: string;
  actor?: string;
  details?: Record<string, unknown>;
}

/** Events are append-only: there is no update and no delete here on purpose. */
export function eventsRepository(db: PrismaClient) {
  return {
    async append(event: NewEvent) {
      return db.event.create({
        data: {
          at: event.at,
          kind: event.kind,
          message: event.message,
          pairId: event.pairId ?? null,
          nodeId: event.nodeId ?? null,
          actor: event.actor ?? 'system',
          details: JSON.stringify(event.details ?? {}),
        },
      });
    },
    async latest(limit: number) {
      return db.event.findMany({ orderBy: { id: 'desc' }, take: limit });
    },
  };
}
