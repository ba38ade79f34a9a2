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

/** Decisions per transaction: each costs ~0.3–0.6 ms of blocked event loop (50 took up to 30 ms). */
const MAX_GROUP = 20;

type Waiting = { batch: Commit; resolve: () => void; reject: (error: unknown) => void };

function eventRows(batch: Commit) {
  const at = new Date(batch.at);
  return batch.events.map((e) => ({
    at,
    kind: e.kind,
    pairId: batch.pairId,
    nodeId: e.nodeId ?? null,
    actor: e.actor ?? 'system',
    message: e.message,
    details: JSON.stringify({ ...(e.rule ? { rule: e.rule } : {}), ...e.details }),
  }));
}

/**
 * The engine's store: a decision's state, events and alerts in one SQLite
 * transaction, so a crash leaves either all of them or none. Decisions that
 * arrive while a transaction is being written wait and then share the next
 * one — a group commit — and each caller still resumes only once its own
 * decision is durable. At fleet scale this is the difference between one
 * fsync per signal and one per burst; the group's events go in as one
 * multi-row INSERT because each statement costs far more than its rows.
 */
export function prismaHaStore(db: PrismaClient): HaStore {
  const waiting: Waiting[] = [];
  let writing = false;

  async function write(items: Waiting[]) {
    try {
      await db.$transaction(async (tx) => {
        for (const { batch } of items) {
          if (batch.state) await tx.pair.update({ where: { id: batch.pairId }, data: stateColumns(batch.state) });
        }
        const events = items.flatMap(({ batch }) => eventRows(batch));
        if (events.length > 0) await tx.event.createMany({ data: events });
        for (const { batch } of items) {
          for (const alert of batch.alerts) await applyAlertEffect(tx, batch.pairId, new Date(batch.at), alert);
        }
      });
      for (const item of items) item.resolve();
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }

  // One writer at a time; the next group forms when this one is durable.
  async function drain() {
    writing = true;
    while (waiting.length > 0) {
      // A group is capped: better-sqlite3 runs each statement synchronously and the chain of
      // awaits inside one transaction never lets the event loop breathe. Heartbeats must.
      await write(waiting.splice(0, MAX_GROUP));
      await new Promise((resolve) => setImmediate(resolve));
    }
    writing = false;
  }

  return {
    commit(batch: Commit) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ batch, resolve, reject });
        // setImmediate: decisions taken in the same turn of the loop share the first group too.
        if (!writing) {
          writing = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
