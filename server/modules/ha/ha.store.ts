import type { PrismaClient } from '../../db/client.ts';
import type { PairState } from '../../domain/ha/types.ts';
import { applyAlertEffect } from '../alerts/alerts.repository.ts';
import type { Commit, HaStore } from './ha-engine.ts';

/** The durable part of a pair's state: everything but the member views. */
export function durableState(s: PairState) {
  return {
    epoch: s.epoch,
    activeNodeId: s.activeNodeId,
    autoFailover: s.autoFailover,
    maintenance: s.maintenance,
    switchover: s.switchover,
    pendingFailoverAck: s.pendingFailoverAck,
    outageSince: s.outageSince,
  };
}
export type DurableState = ReturnType<typeof durableState>;

export function stateColumns(s: PairState) {
  return {
    state: JSON.stringify(durableState(s)),
    epoch: s.epoch,
    activeNodeId: s.activeNodeId,
    autoFailover: s.autoFailover,
    maintenance: s.maintenance,
  };
}

/**
 * The engine's store: a decision's state, events and alerts in one SQLite
 * transaction, so a crash leaves either all of them or none.
 */
export function prismaHaStore(db: PrismaClient): HaStore {
  return {
    async commit(batch: Commit) {
      const at = new Date(batch.at);
      await db.$transaction(async (tx) => {
        if (batch.state) await tx.pair.update({ where: { id: batch.pairId }, data: stateColumns(batch.state) });
        if (batch.events.length > 0) {
          await tx.event.createMany({
            data: batch.events.map((e) => ({
              at,
              kind: e.kind,
              pairId: batch.pairId,
              nodeId: e.nodeId ?? null,
              actor: e.actor ?? 'system',
              message: e.message,
              details: JSON.stringify({ ...(e.rule ? { rule: e.rule } : {}), ...e.details }),
            })),
          });
        }
        for (const alert of batch.alerts) await applyAlertEffect(tx, batch.pairId, at, alert);
      });
    },
  };
}
