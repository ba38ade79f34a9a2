import type { Signal } from '../thresholds/evaluator.ts';
import { clockTime } from '../time-text.ts';
import { whyNotTarget } from './explain.ts';
import { checkFailback, checkFailover, type Verdict } from './guards.ts';
import { freshView, isUpAndStable, member, nameOf, preferredMember, viewOf, withView } from './pair.ts';
import { onStepResult, resumeAfterRestart, startSwitchover } from './switchover.ts';
import type { Decision, Effect, FleetView, ManagerInput, Outcome, PairState } from './types.ts';

/**
 * The HA manager (SPEC §3): one pure reducer per pair.
 *
 *   decide(state, input, now, fleet) -> { state, effects, outcome? }
 *
 * No I/O and no clock inside. The executor persists `state` when the effects
 * start with persist-state, appends the events, and only then sends commands
 * and alerts.
 */
export function decide(state: PairState, input: ManagerInput, now: number, fleet: FleetView): Decision {
  const out: Effect[] = [];
  const { state: next, outcome } = route(state, input, now, fleet, out);
  if (durableChanged(state, next)) out.unshift({ type: 'persist-state' });
  return outcome ? { state: next, effects: out, outcome } : { state: next, effects: out };
}

/** Only these fields live in the database; member views are rebuilt from signals after a restart. */
function durableChanged(a: PairState, b: PairState): boolean {
  return (
    a.epoch !== b.epoch ||
    a.activeNodeId !== b.activeNodeId ||
    a.autoFailover !== b.autoFailover ||
    a.maintenance !== b.maintenance ||
    a.switchover !== b.switchover ||
    a.pendingFailoverAck !== b.pendingFailoverAck ||
    a.outageSince !== b.outageSince
  );
}

type Routed = { state: PairState; outcome?: Outcome };

function route(s: PairState, input: ManagerInput, now: number, fleet: FleetView, out: Effect[]): Routed {
  switch (input.type) {
    case 'signal':
      return { state: automatic(onSignal(s, input.signal, out), now, fleet, out) };
    case 'node-report':
      return { state: onNodeReport(s, input, now, out) };
    case 'peer-report': {
      if (!member(s, input.reporter) || !member(s, input.about)) return { state: s };
      const views = viewOf(s, input.reporter).peerViews;
      const peerViews = {
        ...views,
        [input.about]: { healthy: input.healthy, receivedAt: now, detail: input.detail },
      };
      return { state: automatic(withView(s, input.reporter, { peerViews }), now, fleet, out) };
    }
    case 'command-result':
      return { state: automatic(onCommandResult(s, input, now, out), now, fleet, out) };
    case 'command-undeliverable': {
      if (s.switchover?.commandId !== input.commandId) return { state: s };
      const failed = onStepResult(
        s,
        { ok: false, text: `not delivered: ${input.reason}`, unreachable: true },
        now,
        out,
      );
      return { state: automatic(failed, now, fleet, out) };
    }
    case 'tick':
      return { state: automatic(onTick(s, now, out), now, fleet, out) };
    case 'reevaluate':
      return { state: automatic(s, now, fleet, out) };
    case 'restart':
      return { state: onRestart(s, now, out) };
    case 'set-auto-failover':
      return setAutoFailover(s, input, now, fleet, out);
    case 'set-maintenance':
      return setMaintenance(s, input, now, fleet, out);
    case 'switchover':
      return manualSwitchover(s, input, now, out);
    case 'acknowledge-failover':
      return acknowledgeFailover(s, input.actor, input.reason, out);
  }
}

// ---- signals and reports ----------------------------------------------------------------

function onSignal(s: PairState, sig: Signal, out: Effect[]): PairState {
  if (!member(s, sig.nodeId)) return s;
  const v = viewOf(s, sig.nodeId);
  const name = nameOf(s, sig.nodeId);
  out.push({
    type: 'append-event',
    kind: 'signal',
    nodeId: sig.nodeId,
    rule: sig.condition,
    message: `${sig.type}(${name}) at ${clockTime(sig.at)}: ${sig.reason}`,
    details: { signal: sig.type, condition: sig.condition, at: sig.at },
  });
  const alertable = !s.maintenance;
  switch (sig.type) {
    case 'Up':
      if (v.verdict === 'down' && alertable) {
        out.push({ type: 'clear-alert', key: `node-down:${sig.nodeId}`, message: `${name} is Up again` });
      }
      return withView(s, sig.nodeId, {
        verdict: 'up',
        stable: true,
        upSince: sig.at,
        downSince: null,
        downReason: null,
        unstableSince: null,
        lastHealthyAt: sig.lastHealthyAt,
      });
    case 'Down':
      if (alertable) {
        out.push({
          type: 'raise-alert',
          key: `node-down:${sig.nodeId}`,
          kind: 'node-down',
          severity: sig.nodeId === s.activeNodeId ? 'critical' : 'major',
          nodeId: sig.nodeId,
          message: `${sig.role} node ${name} of pair ${s.name} is Down: ${sig.reason}`,
          ackOnly: false,
        });
      }
      return withView(s, sig.nodeId, {
        verdict: 'down',
        stable: false,
        upSince: null,
        downSince: sig.at,
        downReason: sig.reason,
        lastHealthyAt: sig.lastHealthyAt,
        unstableSince: v.unstableSince ?? sig.at,
      });
    case 'DownHeartbeat':
      return withView(s, sig.nodeId, {
        stable: false,
        unstableSince: v.stable || v.unstableSince === null ? sig.at : v.unstableSince,
        lastDownHeartbeatAt: sig.at,
        lastHealthyAt: sig.lastHealthyAt,
      });
  }
}

function onNodeReport(
  s: PairState,
  input: Extract<ManagerInput, { type: 'node-report' }>,
  now: number,
  out: Effect[],
): PairState {
  if (!member(s, input.nodeId)) return s;
  const before = viewOf(s, input.nodeId);
  let next = withView(s, input.nodeId, {
    connected: input.connected,
    reportedRole: input.role,
    reportedEpoch: input.epoch,
  });
  const name = nameOf(s, input.nodeId);
  const intent = s.switchover;
  const inSwitchover = intent !== null && (input.nodeId === intent.from || input.nodeId === intent.to);
  // A promote that missed its deadline but took effect: the node says so at the
  // current epoch while no node is known active. Record it rather than demote it.
  if (input.connected && input.role === 'active' && s.activeNodeId === null && input.epoch === s.epoch && !intent) {
    out.push({
      type: 'append-event',
      kind: 'role-report',
      nodeId: input.nodeId,
      message: `${name} reports the active role at the current epoch ${s.epoch}: a late promote took effect; ${name} is recorded as the active node`,
    });
    out.push({ type: 'set-role', nodeId: input.nodeId, role: 'active' });
    return { ...next, activeNodeId: input.nodeId };
  }
  // Rule 8 (seed 003: a recovered primary takes the standby role): anyone but the
  // active claiming the active role — or claiming no role while it missed a
  // switchover (older epoch) — is demoted at once, with the current epoch.
  const claimsActive = input.role === 'active' || (input.role === 'unknown' && input.epoch < s.epoch);
  if (input.connected && claimsActive && input.nodeId !== s.activeNodeId && !inSwitchover) {
    const last = before.staleDemoteSentAt;
    if (last === null || now - last >= s.commandTimeoutMs) {
      next = withView(next, input.nodeId, { staleDemoteSentAt: now });
      out.push({
        type: 'send-command',
        nodeId: input.nodeId,
        command: 'demote',
        // unique per pair, epoch and instant; agents de-duplicate per node (and ids stay under 100 characters)
        commandId: `${s.pairId}:${s.epoch}:stale:${now}`,
        epoch: s.epoch,
        deadlineAt: now + s.commandTimeoutMs,
        timeoutMs: s.commandTimeoutMs,
      });
      out.push({
        type: 'append-event',
        kind: 'command',
        nodeId: input.nodeId,
        rule: 'rule 8',
        message: `${name} reports ${input.role === 'active' ? 'the active role' : 'no role'} at epoch ${input.epoch}, but ${nameOf(s, s.activeNodeId)} is active at epoch ${s.epoch}: demote sent to ${name}`,
      });
    }
    return next;
  }
  if (input.role === 'passive' && before.staleDemoteSentAt !== null) {
    next = withView(next, input.nodeId, { staleDemoteSentAt: null });
  }
  if (
    input.connected &&
    input.role === 'passive' &&
    input.nodeId === s.activeNodeId &&
    !inSwitchover &&
    before.reportedRole !== 'passive'
  ) {
    out.push({
      type: 'append-event',
      kind: 'role-report',
      nodeId: input.nodeId,
      message: `${name} reports the passive role at epoch ${input.epoch}, but the manager holds it active at epoch ${s.epoch}: check the node; a manual switchover re-asserts the roles`,
    });
  }
  return next;
}

function onCommandResult(
  s: PairState,
  input: Extract<ManagerInput, { type: 'command-result' }>,
  now: number,
  out: Effect[],
): PairState {
  if (s.switchover?.commandId === input.commandId) {
    const text = input.refused
      ? `refused (${input.refused})${input.output ? `: ${input.output}` : ''}`
      : `exit ${input.exitCode ?? 'none'}${input.output ? `: ${input.output}` : ''}`;
    if (input.refused === 'stale-epoch') {
      out.push({
        type: 'raise-alert',
        key: `split-brain-risk:${s.pairId}`,
        kind: 'split-brain-risk',
        severity: 'critical',
        nodeId: input.nodeId,
        message: `${nameOf(s, input.nodeId)} has seen an epoch newer than ${s.switchover.epoch}: the manager's state is older than the node's (restored database?); check both nodes before any switchover`,
        ackOnly: true,
      });
    }
    return onStepResult(s, { ok: input.ok, text: input.ok ? '' : text, unreachable: false }, now, out);
  }
  out.push({
    type: 'append-event',
    kind: 'command-result',
    nodeId: input.nodeId,
    message: `${nameOf(s, input.nodeId)} answered ${input.commandId}: ${input.ok ? 'ok' : `failed, exit ${input.exitCode ?? 'none'}`}${input.output ? `: ${input.output}` : ''}`,
    details: { commandId: input.commandId },
  });
  return s;
}

function onTick(s: PairState, now: number, out: Effect[]): PairState {
  const intent = s.switchover;
  if (intent && now >= intent.stepDeadlineAt) {
    const seconds = Math.round(s.commandTimeoutMs / 1000);
    return onStepResult(s, { ok: false, text: `no result within ${seconds} s`, unreachable: true }, now, out);
  }
  return s;
}

/** Rule 9: verdicts do not survive a restart; a recorded switchover resumes from its step. */
function onRestart(s: PairState, now: number, out: Effect[]): PairState {
  const views: PairState['views'] = {};
  for (const m of s.members) views[m.nodeId] = freshView();
  const next: PairState = { ...s, views, hold: null };
  if (next.switchover) return resumeAfterRestart(next, now, out);
  out.push({
    type: 'append-event',
    kind: 'restart',
    rule: 'rule 9',
    message: 'server restarted: no automatic action until every member has a verdict again',
  });
  return next;
}

// ---- automatic decisions --------------------------------------------------------------

/** Log a hold once per distinct explanation; alerts de-duplicate by key on their side. */
function holdOnce(s: PairState, held: Verdict, now: number, out: Effect[]): PairState {
  if (s.hold?.explanation === held.explanation) return s;
  out.push({
    type: 'append-event',
    kind: 'held',
    rule: `${held.rule} (${held.guard})`,
    message: held.explanation,
    details: { guard: held.guard },
  });
  return { ...s, hold: { guard: held.guard, since: now, explanation: held.explanation } };
}

function alertForHold(s: PairState, held: Verdict, fleet: FleetView, now: number, out: Effect[]): void {
  if (s.maintenance) return;
  switch (held.guard) {
    case 'peer-witness':
      out.push({
        type: 'raise-alert',
        key: `manager-only-unreachable:${s.pairId}`,
        kind: 'manager-only-unreachable',
        severity: 'major',
        nodeId: s.activeNodeId ?? undefined,
        message: held.explanation,
        ackOnly: false,
      });
      break;
    case 'mass-failure':
      out.push({
        type: 'raise-alert',
        key: 'mass-failure-guard',
        kind: 'mass-failure-guard',
        severity: 'critical',
        message: `automatic failovers held: ${fleet.suspectNodes} of ${fleet.pairedNodes} paired nodes went silent at once (first held pair: ${s.name})`,
        ackOnly: false,
      });
      break;
    case 'global-brake':
      if (!fleet.brake.engaged) out.push({ type: 'engage-brake', at: now });
      out.push({
        type: 'raise-alert',
        key: 'global-brake',
        kind: 'global-brake',
        severity: 'critical',
        message: `global brake engaged: automatic switchovers held until an admin releases the brake (held: pair ${s.name})`,
        ackOnly: true,
      });
      break;
    default:
      break;
  }
}

function markOutage(s: PairState, held: Verdict, now: number, out: Effect[]): PairState {
  const next = s.outageSince === null ? { ...s, outageSince: now } : s;
  // In maintenance nobody wants the page; in a mass failure its one alert stands for all pairs.
  if (s.maintenance || held.guard === 'mass-failure') return next;
  out.push({
    type: 'raise-alert',
    key: `pair-outage:${s.pairId}`,
    kind: 'pair-outage',
    severity: 'critical',
    nodeId: s.activeNodeId ?? undefined,
    message: held.explanation,
    ackOnly: false,
  });
  return next;
}

/** Every rule that can move a pair by itself, looked at after each input. */
function automatic(s: PairState, now: number, fleet: FleetView, out: Effect[]): PairState {
  if (s.switchover || s.activeNodeId === null) return s;
  const active = viewOf(s, s.activeNodeId);
  if (active.verdict === 'down') {
    const check = checkFailover(s, fleet);
    if (check.go) {
      const next = { ...s, autoFailover: false };
      return startSwitchover(
        next,
        'failover',
        check.target.nodeId,
        'system',
        `${check.explanation}; auto-failover is now off until an operator re-enables it`,
        'rule 2',
        now,
        out,
      );
    }
    alertForHold(s, check.held, fleet, now, out);
    return holdOnce(markOutage(s, check.held, now, out), check.held, now, out);
  }
  let next = s;
  if (active.verdict === 'up' && s.outageSince !== null) {
    next = { ...next, outageSince: null };
    out.push({
      type: 'clear-alert',
      key: `pair-outage:${s.pairId}`,
      message: `${nameOf(s, s.activeNodeId)} is Up again`,
    });
  }
  const failback = checkFailback(next, fleet, now);
  if (failback.go) {
    return startSwitchover(
      next,
      'failback',
      failback.target.nodeId,
      'system',
      failback.explanation,
      'rule 4',
      now,
      out,
    );
  }
  if (failback.held) {
    alertForHold(next, failback.held, fleet, now, out);
    return holdOnce(next, failback.held, now, out);
  }
  return next.hold ? { ...next, hold: null } : next;
}

/** When the manager wants a `tick` even if nothing else happens. */
export function nextWakeAt(s: PairState, fleet: FleetView, now: number): number | null {
  if (s.switchover) return s.switchover.stepDeadlineAt;
  const failback = checkFailback(s, fleet, now);
  return !failback.go && failback.wakeAt !== undefined ? failback.wakeAt : null;
}

// ---- operator commands ----------------------------------------------------------------

function refuse(s: PairState, code: string, message: string, actor: string, out: Effect[]): Routed {
  out.push({ type: 'append-event', kind: 'refused', actor, message: `refused: ${message}`, details: { code } });
  return { state: s, outcome: { ok: false, code, message } };
}

function setAutoFailover(
  s: PairState,
  input: Extract<ManagerInput, { type: 'set-auto-failover' }>,
  now: number,
  fleet: FleetView,
  out: Effect[],
): Routed {
  if (!input.enabled) {
    if (!s.autoFailover) return { state: s, outcome: { ok: true, message: 'auto-failover was already off' } };
    out.push({
      type: 'append-event',
      kind: 'config',
      actor: input.actor,
      message: `auto-failover disabled by ${input.actor}`,
    });
    return {
      state: { ...s, autoFailover: false, hold: null },
      outcome: { ok: true, message: 'auto-failover disabled' },
    };
  }
  if (s.autoFailover) return { state: s, outcome: { ok: true, message: 'auto-failover was already on' } };
  let next = s;
  if (s.pendingFailoverAck) {
    const reason = input.ackReason?.trim();
    if (!reason) {
      return refuse(
        s,
        'FAILOVER_NOT_ACKNOWLEDGED',
        `acknowledge the automatic failover of ${clockTime(s.pendingFailoverAck.at)} first, with a reason`,
        input.actor,
        out,
      );
    }
    next = acknowledgeFailover(next, input.actor, reason, out).state;
  }
  next = { ...next, autoFailover: true, hold: null };
  out.push({
    type: 'append-event',
    kind: 'config',
    actor: input.actor,
    message: `auto-failover enabled by ${input.actor}`,
  });
  // Rule 4: re-enabling is what brings the preferred node back.
  next = automatic(next, now, fleet, out);
  const moved = next.switchover && next.switchover !== s.switchover;
  return {
    state: next,
    outcome: {
      ok: true,
      message: moved
        ? `auto-failover enabled; ${next.switchover?.kind} to ${nameOf(next, next.switchover?.to ?? null)} started`
        : 'auto-failover enabled',
    },
  };
}

function acknowledgeFailover(s: PairState, actor: string, reason: string, out: Effect[]): Routed {
  const pending = s.pendingFailoverAck;
  if (!pending) return { state: s, outcome: { ok: true, message: 'no failover alert waits for acknowledgement' } };
  out.push({ type: 'acknowledge-alert', key: pending.alertKey, actor, comment: reason });
  out.push({
    type: 'append-event',
    kind: 'acknowledgement',
    actor,
    message: `automatic failover of ${clockTime(pending.at)} acknowledged by ${actor}: ${reason}`,
  });
  return { state: { ...s, pendingFailoverAck: null }, outcome: { ok: true, message: 'failover acknowledged' } };
}

function setMaintenance(
  s: PairState,
  input: Extract<ManagerInput, { type: 'set-maintenance' }>,
  now: number,
  fleet: FleetView,
  out: Effect[],
): Routed {
  if (s.maintenance === input.enabled) {
    return { state: s, outcome: { ok: true, message: `maintenance was already ${input.enabled ? 'on' : 'off'}` } };
  }
  out.push({
    type: 'append-event',
    kind: 'config',
    actor: input.actor,
    rule: 'rule 6',
    message: input.enabled
      ? `maintenance on (by ${input.actor}): automatic actions suspended, signals still evaluated`
      : `maintenance off (by ${input.actor}): automatic actions resume`,
  });
  let next: PairState = { ...s, maintenance: input.enabled, hold: null };
  if (!input.enabled) next = automatic(next, now, fleet, out);
  return { state: next, outcome: { ok: true, message: `maintenance ${input.enabled ? 'on' : 'off'}` } };
}

/** Rule 5: manual switchover — to an Up and stable node, unless an admin forces it by typing the node's name. */
function manualSwitchover(
  s: PairState,
  input: Extract<ManagerInput, { type: 'switchover' }>,
  now: number,
  out: Effect[],
): Routed {
  const target = member(s, input.to);
  if (input.actorRole === 'viewer') return refuse(s, 'FORBIDDEN', 'a viewer cannot switch over', input.actor, out);
  if (!target) return refuse(s, 'NOT_A_MEMBER', `node ${input.to} is not a member of pair ${s.name}`, input.actor, out);
  if (s.switchover) {
    return refuse(
      s,
      'SWITCHOVER_IN_PROGRESS',
      `a ${s.switchover.kind} to ${nameOf(s, s.switchover.to)} is in progress (epoch ${s.switchover.epoch})`,
      input.actor,
      out,
    );
  }
  if (target.nodeId === s.activeNodeId) {
    return refuse(s, 'ALREADY_ACTIVE', `${target.name} is already the active node`, input.actor, out);
  }
  let forced = '';
  if (!isUpAndStable(s, target.nodeId)) {
    if (!input.force) {
      return refuse(
        s,
        'TARGET_NOT_UP',
        `${whyNotTarget(s, target.nodeId)}; only an admin can force a switchover to it, by typing its name`,
        input.actor,
        out,
      );
    }
    if (input.actorRole !== 'admin') {
      return refuse(s, 'FORCE_NEEDS_ADMIN', 'only an admin can force a switchover', input.actor, out);
    }
    if (input.confirmation !== target.name) {
      return refuse(s, 'CONFIRMATION_MISMATCH', `type the node name "${target.name}" to confirm`, input.actor, out);
    }
    forced = ` (forced by admin ${input.actor}: ${whyNotTarget(s, target.nodeId)})`;
  }
  const preferred = preferredMember(s.members);
  let next = s;
  let autoText = '';
  if (target.nodeId !== preferred.nodeId && s.autoFailover) {
    next = { ...next, autoFailover: false };
    autoText = `; auto-failover turned off: ${target.name} is not the preferred node, and failback would otherwise undo this at once`;
  }
  const reason = `manual switchover ${nameOf(s, s.activeNodeId)} → ${target.name} requested by ${input.actor}${forced}${autoText}`;
  next = startSwitchover(next, 'manual', target.nodeId, input.actor, reason, 'rule 5', now, out);
  return { state: next, outcome: { ok: true, message: reason } };
}
