import { clockTime } from '../time-text.ts';
import { type DisplayState, displayState } from './display.ts';
import { decide } from './manager.ts';
import { member, nameOf, viewOf } from './pair.ts';
import type { Effect, FleetView, PairState } from './types.ts';

export interface DrillResult {
  /** one line: what the manager would do */
  summary: string;
  /** the explanations it would record, in order */
  explanation: string[];
  /** what it would do, as data; none of it is performed */
  effects: Effect[];
  displayAfter: DisplayState;
}

/**
 * "What would happen if node X failed now?" (SPEC §3 Drill): the real manager
 * on a copy of the pair's state, fed the Down signal X would raise. Nothing is
 * persisted, sent or alerted.
 */
export function drill(state: PairState, nodeId: string, now: number, fleet: FleetView): DrillResult {
  const target = member(state, nodeId);
  if (!target) throw new Error(`node ${nodeId} is not a member of pair ${state.name}`);
  const role = nodeId === state.activeNodeId ? 'active' : 'passive';
  const lastHealthyAt = viewOf(state, nodeId).lastHealthyAt;
  const reason = `drill: ${target.name} fails at ${clockTime(now)}`;
  const { state: after, effects } = decide(
    structuredClone(state),
    {
      type: 'signal',
      signal: {
        type: 'Down',
        nodeId,
        at: now,
        role,
        condition: role === 'active' ? 'ActiveDown' : 'PassiveDown',
        reason,
        lastHealthyAt,
      },
    },
    now,
    fleet,
  );
  const explanation = effects.flatMap((e) => (e.type === 'append-event' && e.kind !== 'command' ? [e.message] : []));
  const started = after.switchover && after.switchover !== state.switchover ? after.switchover : null;
  let summary: string;
  if (started) {
    summary = `${started.kind} to ${nameOf(after, started.to)} would start at once (epoch ${started.epoch})`;
  } else if (role === 'active') {
    summary = `no switchover: ${after.hold?.explanation ?? 'nothing would move'}`;
  } else {
    summary = `no switchover: ${nameOf(state, state.activeNodeId)} stays active; the pair would be ${displayState(after).state}`;
  }
  return { summary, explanation, effects, displayAfter: displayState(after) };
}
