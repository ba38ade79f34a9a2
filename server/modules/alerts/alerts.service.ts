import type { AlertView } from '../../contract/alerts.ts';
import type { Actor } from '../../plugins/actor.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { HaEngine } from '../ha/ha-engine.ts';
import type { PairsRepository } from '../pairs/pairs.repository.ts';
import type { AlertRow, AlertsRepository } from './alerts.repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function alertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind as AlertView['kind'],
    severity: row.severity as AlertView['severity'],
    state: row.state as AlertView['state'],
    pairId: row.pairId,
    nodeId: row.nodeId,
    message: row.message,
    ackOnly: row.ackOnly,
    raisedAt: row.raisedAt.toISOString(),
    lastRaisedAt: row.lastRaisedAt.toISOString(),
    count: row.count,
    clearedAt: iso(row.clearedAt),
    ack: row.ackBy && row.ackAt ? { by: row.ackBy, at: row.ackAt.toISOString(), comment: row.ackComment ?? '' } : null,
  };
}

interface Deps {
  repository: AlertsRepository;
  pairs: PairsRepository;
  engine: HaEngine;
  clock: Clock;
  onChange?: () => void;
}

/** The problem summary and acknowledgements (SPEC §5). */
export function alertsService({ repository, pairs, engine, clock, onChange }: Deps) {
  return {
    async list(query: { state: 'open' | 'all'; pair?: string; limit: number }) {
      const rows = await repository.list({
        state: query.state,
        limit: query.limit,
        ...(query.pair ? { pairId: query.pair } : {}),
      });
      return rows.map(alertView);
    },

    /**
     * Acknowledge with a comment. The automatic-failover alert a pair waits on
     * goes through the HA manager, which then allows re-enabling auto-failover.
     */
    async acknowledge(id: number, comment: string, actor: Actor): Promise<AlertView | null> {
      const row = await repository.get(id);
      if (!row) return null;
      const pending = row.pairId ? engine.pair(row.pairId)?.pendingFailoverAck : null;
      if (row.pairId && pending?.alertKey === row.key) {
        await engine.operator(row.pairId, { type: 'acknowledge-failover', actor: actor.name, reason: comment });
      } else if (row.state !== 'closed-acknowledged') {
        await repository.acknowledge(id, actor.name, comment, new Date(clock.now()));
        if (row.pairId) {
          await pairs.appendEvent({
            at: new Date(clock.now()),
            kind: 'acknowledgement',
            pairId: row.pairId,
            ...(row.nodeId ? { nodeId: row.nodeId } : {}),
            actor: actor.name,
            message: `alert "${row.kind}" acknowledged by ${actor.name}: ${comment}`,
            details: { alertId: row.id },
          });
        }
      }
      const after = await repository.get(id);
      const view = after ? alertView(after) : null;
      onChange?.();
      return view;
    },

    countOpen: () => repository.countOpen(),
  };
}

export type AlertsService = ReturnType<typeof alertsService>;
