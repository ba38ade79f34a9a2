import type { Effect } from '../../server/domain/ha/types.ts';
import type { SimulationResult, TimelineEntry } from '../../server/domain/simulator/simulator.ts';

type Decision = Extract<TimelineEntry, { type: 'decision' }>;

/** Every effect with the instant it was decided. */
export function effects(r: SimulationResult, pairId?: string): (Effect & { at: number })[] {
  return r.timeline.flatMap((e) =>
    e.type === 'decision' && (!pairId || e.pairId === pairId) ? e.effects.map((x) => ({ ...x, at: e.at })) : [],
  );
}

export function events(r: SimulationResult, pairId?: string) {
  return effects(r, pairId).filter(
    (e): e is Extract<Effect, { type: 'append-event' }> & { at: number } => e.type === 'append-event',
  );
}

export function eventTexts(r: SimulationResult, pairId?: string): string[] {
  return events(r, pairId).map((e) => e.message);
}

export function signals(r: SimulationResult, nodeId?: string, type?: string) {
  return r.timeline.flatMap((e) =>
    e.type === 'signal' && (!nodeId || e.signal.nodeId === nodeId) && (!type || e.signal.type === type)
      ? [e.signal]
      : [],
  );
}

export function commands(r: SimulationResult, command?: string) {
  return effects(r).filter(
    (e): e is Extract<Effect, { type: 'send-command' }> & { at: number } =>
      e.type === 'send-command' && (!command || e.command === command),
  );
}

/** Switchovers the manager started, with the decision's instant. */
export function switchoversStarted(r: SimulationResult, pairId?: string) {
  return r.timeline.flatMap((e) =>
    e.type === 'decision' &&
    (!pairId || e.pairId === pairId) &&
    e.effects.some((x) => x.type === 'append-event' && x.kind === 'decision')
      ? [{ at: e.at, intent: e.after.switchover, decision: e }]
      : [],
  );
}

export function decisions(r: SimulationResult, pairId?: string): Decision[] {
  return r.timeline.filter((e): e is Decision => e.type === 'decision' && (!pairId || e.pairId === pairId));
}

export function outcomes(r: SimulationResult) {
  return decisions(r).flatMap((d) => (d.outcome ? [{ at: d.at, outcome: d.outcome, input: d.input }] : []));
}
