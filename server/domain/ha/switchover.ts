import { clockTime } from '../time-text.ts';
import { epochText } from './explain.ts';
import { nameOf, viewOf } from './pair.ts';
import type { Effect, PairState, SwitchoverIntent, SwitchoverKind, SwitchoverStep } from './types.ts';

/**
 * A switchover, step by step (SPEC rule 7 and the vocabulary): the epoch is
 * raised and the intent recorded before any command; then
 *   prepare  the new active runs its pre-promote check (rule 15) — nothing changed yet
 *   demote   the old active, when connected
 *   promote  the new active, with the new epoch
 * each with a deadline. Every step's command has an idempotency key, so a
 * restart can re-send it and the agent still runs it at most once (rule 9).
 */

export function commandIdFor(intent: Pick<SwitchoverIntent, 'id'>, step: SwitchoverStep): string {
  return `${intent.id}:${step}`;
}

function sendStep(s: PairState, intent: SwitchoverIntent, now: number, out: Effect[]): void {
  const nodeId = intent.step === 'demote' ? intent.from : intent.to;
  if (nodeId === null) return;
  out.push({
    type: 'send-command',
    nodeId,
    command: intent.step,
    commandId: intent.commandId,
    epoch: intent.epoch,
    deadlineAt: intent.stepDeadlineAt,
    timeoutMs: s.commandTimeoutMs,
  });
  out.push({
    type: 'append-event',
    kind: 'command',
    nodeId,
    message: `${intent.step} sent to ${nameOf(s, nodeId)} (${intent.kind}, epoch ${intent.epoch}, deadline ${clockTime(intent.stepDeadlineAt)})`,
    details: { switchoverId: intent.id, commandId: intent.commandId, step: intent.step, at: now },
  });
}

export function startSwitchover(
  s: PairState,
  kind: SwitchoverKind,
  to: string,
  actor: string,
  reason: string,
  rule: string,
  now: number,
  out: Effect[],
): PairState {
  const epoch = s.epoch + 1;
  const id = `${s.pairId}:${epoch}`;
  const intent: SwitchoverIntent = {
    id,
    kind,
    from: s.activeNodeId,
    to,
    epoch,
    startedAt: now,
    actor,
    reason,
    step: 'prepare',
    commandId: commandIdFor({ id }, 'prepare'),
    stepDeadlineAt: now + s.commandTimeoutMs,
    demoteSkipped: false,
  };
  const next: PairState = { ...s, epoch, switchover: intent, hold: null };
  out.push({
    type: 'append-event',
    kind: 'decision',
    nodeId: to,
    actor,
    rule,
    message: `${reason}; ${epochText(s.epoch, epoch)}`,
    details: { switchoverId: id, kind, from: s.activeNodeId, to, epoch },
  });
  if (kind !== 'manual') out.push({ type: 'auto-switchover-started', at: now });
  sendStep(next, intent, now, out);
  return next;
}

function toStep(s: PairState, intent: SwitchoverIntent, step: SwitchoverStep, now: number, out: Effect[]): PairState {
  const next: SwitchoverIntent = {
    ...intent,
    step,
    commandId: commandIdFor(intent, step),
    stepDeadlineAt: now + s.commandTimeoutMs,
  };
  const state = { ...s, switchover: next };
  sendStep(state, next, now, out);
  return state;
}

/** After `prepare` (or a demote that cannot reach the old active): demote when connected, else promote. */
function afterPrepare(s: PairState, intent: SwitchoverIntent, now: number, out: Effect[]): PairState {
  if (intent.from !== null && intent.from !== intent.to && viewOf(s, intent.from).connected) {
    return toStep(s, intent, 'demote', now, out);
  }
  const why =
    intent.from === null
      ? 'no node was active'
      : `${nameOf(s, intent.from)} is not connected; its agent will be demoted when it reconnects (epochs fence it, rule 8)`;
  out.push({
    type: 'append-event',
    kind: 'command',
    nodeId: intent.from ?? undefined,
    message: `demote skipped: ${why}`,
    details: { switchoverId: intent.id },
  });
  return toStep(s, { ...intent, demoteSkipped: true }, 'promote', now, out);
}

function complete(s: PairState, intent: SwitchoverIntent, now: number, out: Effect[]): PairState {
  let next: PairState = { ...s, activeNodeId: intent.to, switchover: null, outageSince: null, hold: null };
  const from = intent.from === null ? 'no active node' : nameOf(s, intent.from);
  const message = `${intent.kind} completed: ${nameOf(s, intent.to)} is active (epoch ${intent.epoch}), ${from} ${
    intent.from === null
      ? ''
      : intent.demoteSkipped
        ? 'was not reachable and will be demoted when it returns'
        : 'is passive'
  }`.trim();
  out.push({
    type: 'append-event',
    kind: 'switchover-completed',
    nodeId: intent.to,
    message,
    details: { switchoverId: intent.id },
  });
  out.push({ type: 'set-role', nodeId: intent.to, role: 'active' });
  if (intent.from !== null && intent.from !== intent.to)
    out.push({ type: 'set-role', nodeId: intent.from, role: 'passive' });
  out.push({ type: 'clear-alert', key: `pair-outage:${s.pairId}`, message: `${nameOf(s, intent.to)} is active again` });
  if (intent.kind === 'failover') {
    const key = `automatic-failover:${s.pairId}:${intent.epoch}`;
    next = { ...next, pendingFailoverAck: { alertKey: key, at: now, to: intent.to } };
    out.push({
      type: 'raise-alert',
      key,
      kind: 'automatic-failover',
      severity: 'major',
      nodeId: intent.to,
      message: `automatic failover performed at ${clockTime(now)}: ${from} → ${nameOf(s, intent.to)}. Auto-failover is off until an operator acknowledges this alert and re-enables it. ${intent.reason}`,
      ackOnly: true,
    });
  }
  if (intent.kind === 'failback') {
    out.push({
      type: 'raise-alert',
      key: `failback:${s.pairId}:${intent.epoch}`,
      kind: 'failback',
      severity: 'info',
      nodeId: intent.to,
      message: `failback performed at ${clockTime(now)}: ${nameOf(s, intent.to)} is active again`,
      ackOnly: true,
    });
  }
  return next;
}

/**
 * A step failed (non-zero exit, refusal, deadline, undeliverable). What stays
 * true is said plainly; an automatic switchover that failed turns auto-failover
 * off so the manager cannot loop.
 */
function fail(s: PairState, intent: SwitchoverIntent, what: string, now: number, out: Effect[]): PairState {
  let next: PairState = { ...s, switchover: null };
  let consequence: string;
  if (intent.step === 'promote') {
    next = { ...next, activeNodeId: null };
    const old =
      intent.from === null
        ? ''
        : intent.demoteSkipped
          ? `${nameOf(s, intent.from)} was not reachable; `
          : `${nameOf(s, intent.from)} was demoted; `;
    consequence = `${old}no node is known to be active: switch over manually`;
  } else {
    const keeper = intent.from === null ? 'no node' : nameOf(s, intent.from);
    consequence = `nothing was promoted; ${keeper} keeps the active role`;
  }
  const automatic = intent.kind !== 'manual';
  if (automatic && next.autoFailover) next = { ...next, autoFailover: false };
  const message = `${intent.kind} to ${nameOf(s, intent.to)} failed at ${intent.step}: ${what}; ${consequence}${
    automatic ? '; auto-failover is off until an operator re-enables it' : ''
  }`;
  out.push({
    type: 'append-event',
    kind: 'switchover-failed',
    nodeId: intent.step === 'demote' ? (intent.from ?? undefined) : intent.to,
    rule: 'rule 7',
    message,
    details: { switchoverId: intent.id, step: intent.step, at: now },
  });
  out.push({
    type: 'raise-alert',
    key: `switchover-failed:${s.pairId}:${intent.epoch}`,
    kind: 'switchover-failed',
    severity: 'critical',
    nodeId: intent.to,
    message,
    ackOnly: true,
  });
  return next;
}

export interface StepResult {
  ok: boolean;
  /** "exit 1: replication lag 40 s", "refused: pre-promote-check: …", "no result within 30 s" */
  text: string;
  /** the command never reached a connected agent */
  unreachable: boolean;
}

/** The current step's outcome arrived (or its deadline passed). */
export function onStepResult(s: PairState, result: StepResult, now: number, out: Effect[]): PairState {
  const intent = s.switchover;
  if (!intent) return s;
  if (result.ok) {
    out.push({
      type: 'append-event',
      kind: 'command-result',
      nodeId: intent.step === 'demote' ? (intent.from ?? undefined) : intent.to,
      message: `${intent.step} succeeded on ${nameOf(s, intent.step === 'demote' ? intent.from : intent.to)}${result.text ? `: ${result.text}` : ''}`,
      details: { switchoverId: intent.id, step: intent.step },
    });
    if (intent.step === 'prepare') return afterPrepare(s, intent, now, out);
    if (intent.step === 'demote') return toStep(s, intent, 'promote', now, out);
    return complete(s, intent, now, out);
  }
  // A failover moves away from a node that is Down: when its agent cannot even be
  // reached for the demote, fence it by epoch and go on. A demote that ran and
  // failed means the node is alive in an unknown state: stop.
  if (intent.step === 'demote' && result.unreachable && intent.kind === 'failover') {
    out.push({
      type: 'append-event',
      kind: 'command-result',
      nodeId: intent.from ?? undefined,
      message: `demote of ${nameOf(s, intent.from)} did not reach it (${result.text}); it is Down, so the failover goes on and the epoch fences it`,
      details: { switchoverId: intent.id, step: intent.step },
    });
    return toStep(s, { ...intent, demoteSkipped: true }, 'promote', now, out);
  }
  // The promote's answer is missing but the node's own heartbeats say it took effect.
  const target = viewOf(s, intent.to);
  if (
    intent.step === 'promote' &&
    result.unreachable &&
    target.reportedRole === 'active' &&
    target.reportedEpoch === intent.epoch
  ) {
    out.push({
      type: 'append-event',
      kind: 'command-result',
      nodeId: intent.to,
      message: `promote of ${nameOf(s, intent.to)} gave no answer (${result.text}), but its agent reports the active role at epoch ${intent.epoch}: the promote took effect`,
      details: { switchoverId: intent.id, step: intent.step },
    });
    return complete(s, intent, now, out);
  }
  const node = nameOf(s, intent.step === 'demote' ? intent.from : intent.to);
  return fail(s, intent, `${intent.step} on ${node}: ${result.text}`, now, out);
}

/** Rule 9: re-send the recorded step with the same idempotency key and a new deadline. */
export function resumeAfterRestart(s: PairState, now: number, out: Effect[]): PairState {
  const intent = s.switchover;
  if (!intent) return s;
  const resumed: SwitchoverIntent = { ...intent, stepDeadlineAt: now + s.commandTimeoutMs };
  const next = { ...s, switchover: resumed };
  out.push({
    type: 'append-event',
    kind: 'restart',
    message: `server restarted during ${intent.kind} to ${nameOf(s, intent.to)} at step ${intent.step}: re-sending ${intent.step} with the same command id (the agent runs it at most once)`,
    details: { switchoverId: intent.id, step: intent.step },
    rule: 'rule 9',
  });
  sendStep(next, resumed, now, out);
  return next;
}
