import type { SimulationResult, TimelineEntry } from '../../server/domain/simulator/simulator.ts';

type Decision = Extract<TimelineEntry, { type: 'decision' }>;

/**
 * The HA manager's invariants (issue 3), checked on a whole simulated
 * timeline. Each returns null or a sentence naming the first violation.
 */

const decisionsOf = (r: SimulationResult) => r.timeline.filter((e): e is Decision => e.type === 'decision');

function started(d: Decision) {
  return d.effects.some((e) => e.type === 'append-event' && e.kind === 'decision') ? d.after.switchover : null;
}

/** Never two nodes commanded active for one epoch of one pair, and no promote hook run twice. */
export function onePromotionPerEpoch(r: SimulationResult): string | null {
  const byEpoch = new Map<string, Set<string>>();
  const runs = new Set<string>();
  for (const p of r.promotions) {
    const key = `${p.pairId}:${p.epoch}`;
    const nodes = byEpoch.get(key) ?? new Set();
    nodes.add(p.nodeId);
    byEpoch.set(key, nodes);
    if (nodes.size > 1) return `pair ${p.pairId} epoch ${p.epoch}: promoted ${[...nodes].join(' and ')}`;
    const run = `${p.nodeId}:${p.epoch}`;
    if (runs.has(run)) return `${p.nodeId} ran promote twice for epoch ${p.epoch}`;
    runs.add(run);
  }
  return null;
}

/** Never a switchover to a node that is not Up and stable — except a manual one an admin forced. */
export function targetsUpAndStable(r: SimulationResult): string | null {
  for (const d of decisionsOf(r)) {
    const intent = started(d);
    if (!intent) continue;
    const t = d.after.targets[intent.to];
    const forced = d.input.type === 'switchover' && d.input.force === true && d.input.actorRole === 'admin';
    if (!(t?.verdict === 'up' && t.stable) && !forced) {
      return `${intent.kind} at ${d.at} to ${intent.to}, which was ${t?.verdict} (stable: ${t?.stable})`;
    }
  }
  return null;
}

/** After an automatic failover, auto-failover stays off until an operator turns it on. */
export function autoOffAfterFailover(r: SimulationResult): string | null {
  const mustBeOff = new Set<string>();
  for (const d of decisionsOf(r)) {
    const byOperator = d.input.type === 'set-auto-failover' && d.input.enabled;
    if (mustBeOff.has(d.pairId) && d.after.autoFailover && !byOperator) {
      return `pair ${d.pairId}: auto-failover on again at ${d.at} after a failover, by ${d.input.type}`;
    }
    if (byOperator && d.after.autoFailover) mustBeOff.delete(d.pairId);
    const intent = started(d);
    if (intent?.kind === 'failover') {
      if (d.after.autoFailover) return `pair ${d.pairId}: failover at ${d.at} left auto-failover on`;
      mustBeOff.add(d.pairId);
    }
  }
  return null;
}

/** Nothing automatic in maintenance or before every member has a verdict. */
export function nothingAutomaticWhenSuspended(r: SimulationResult): string | null {
  for (const d of decisionsOf(r)) {
    const intent = started(d);
    if (!intent || intent.kind === 'manual') continue;
    if (d.after.maintenance) return `${intent.kind} at ${d.at} in maintenance`;
    const unknown = Object.entries(d.after.targets).find(([, t]) => t.verdict === 'unknown');
    if (unknown) return `${intent.kind} at ${d.at} while ${unknown[0]} had no verdict`;
  }
  return null;
}

/**
 * Epochs strictly increase with every switchover and never go back; a raised
 * epoch is persisted (persist-state first) in the decision that raises it,
 * before any command of that decision.
 */
export function epochsMonotonicAndPersistedFirst(r: SimulationResult): string | null {
  const last = new Map<string, number>();
  const lastStart = new Map<string, number>();
  for (const d of decisionsOf(r)) {
    const prev = last.get(d.pairId) ?? 0;
    if (d.after.epoch < prev) return `pair ${d.pairId}: epoch went back from ${prev} to ${d.after.epoch} at ${d.at}`;
    last.set(d.pairId, d.after.epoch);
    const intent = started(d);
    if (intent) {
      const before = lastStart.get(d.pairId) ?? 0;
      if (intent.epoch <= before) return `pair ${d.pairId}: switchover epoch ${intent.epoch} not above ${before}`;
      lastStart.set(d.pairId, intent.epoch);
    }
    if (d.after.epoch !== d.after.epochBefore) {
      if (d.effects[0]?.type !== 'persist-state')
        return `pair ${d.pairId}: epoch raised at ${d.at} without persisting first`;
    }
    const sends = d.effects.filter((e) => e.type === 'send-command');
    for (const s of sends) {
      if (s.type === 'send-command' && s.epoch > d.after.epoch) {
        return `command ${s.commandId} carries epoch ${s.epoch} above the pair's ${d.after.epoch}`;
      }
    }
  }
  return null;
}

export const ALL_INVARIANTS = {
  onePromotionPerEpoch,
  targetsUpAndStable,
  autoOffAfterFailover,
  nothingAutomaticWhenSuspended,
  epochsMonotonicAndPersistedFirst,
};

export function violations(r: SimulationResult): string[] {
  return Object.entries(ALL_INVARIANTS).flatMap(([name, check]) => {
    const v = check(r);
    return v ? [`${name}: ${v}`] : [];
  });
}
