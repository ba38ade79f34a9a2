import type { CommandMessage, CommandResultMessage, HeartbeatBody } from '../../contract/agent-protocol.ts';
import type { ThresholdProfile } from '../../contract/thresholds.ts';
import {
  type BrakeConfig,
  type BrakeState,
  brakeView,
  createBrake,
  DEFAULT_BRAKE,
  DEFAULT_MASS_FAILURE,
  engageBrake,
  type MassFailureConfig,
  recordAutoSwitchover,
  releaseBrake,
} from '../../domain/fleet/brake.ts';
import { massFailure } from '../../domain/ha/guards.ts';
import { decide, nextWakeAt } from '../../domain/ha/manager.ts';
import type { Effect, FleetView, ManagerInput, Outcome, PairState } from '../../domain/ha/types.ts';
import {
  createTrack,
  isSuspect,
  type NodeTrack,
  nextDeadline,
  onBeat,
  onTime,
  type Signal,
  setRole,
} from '../../domain/thresholds/evaluator.ts';
import { type Clock, judgeAfterPendingFrames, STALL_TOLERANCE_MS } from '../../plugins/clock.ts';

/**
 * The executor around the pure decision core: it feeds heartbeats to the
 * threshold evaluator on per-node timers, serialises each pair's inputs
 * through `decide`, and performs the effects in the one safe order —
 * persist state, events and alerts in one transaction first, then send
 * commands. A crash before the commit loses the decision (it is taken again
 * from the same inputs); a crash after it finds the intent on restart.
 */

export type AlertEffect = Extract<Effect, { type: 'raise-alert' | 'clear-alert' | 'acknowledge-alert' }>;
export type EventEffect = Extract<Effect, { type: 'append-event' }>;

export interface Commit {
  pairId: string;
  at: number;
  /** present when the durable part of the pair's state changed */
  state?: PairState;
  events: EventEffect[];
  alerts: AlertEffect[];
}

export interface HaStore {
  /** one transaction: the state, its events and its alerts, or nothing */
  commit(batch: Commit): Promise<void>;
}

export type SendOutcome =
  | { status: 'result'; result: CommandResultMessage }
  | { status: 'not-connected' }
  | { status: 'deadline' };

export interface CommandPort {
  send(
    nodeId: string,
    command: Omit<CommandMessage, 'type'>,
    options: { deadlineAt: number; waitForConnection: boolean },
  ): Promise<SendOutcome>;
}

export interface EngineLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface PairChange {
  pairId: string;
  state: PairState;
  at: number;
  /** the decision raised, cleared or acknowledged alerts */
  alertsChanged: boolean;
}

export interface EngineOptions {
  clock: Clock;
  store: HaStore;
  commands: CommandPort;
  log: EngineLog;
  brake?: BrakeConfig;
  massFailure?: MassFailureConfig;
  /** called after every decision that changed a pair (live feed, metrics) */
  onPairChange?: (change: PairChange) => void;
  /** called for every signal, for the live feed */
  onSignal?: (pairId: string, signal: Signal) => void;
  /** a node's peer view is forwarded to the manager at least this often while unchanged */
  peerRefreshMs?: number;
  /**
   * After a restart, nodes not heard from yet are judged silent only after this
   * long (default 30 s, the agents' maximum reconnect backoff): no storm of
   * node-down alerts while the fleet reconnects. Nodes that speak earn Up at once.
   */
  restartGraceMs?: number;
  /** what agent ingest knows of a node right now: a pair linked while its agents run must not think them gone */
  nodeNow?: (nodeId: string) => { connected: boolean; role: HeartbeatBody['role']; epoch: number } | null;
  /** a deadline timer this late means the server itself stalled (default STALL_TOLERANCE_MS) */
  stallToleranceMs?: number;
}

interface NodeRuntime {
  nodeId: string;
  pairId: string;
  track: NodeTrack;
  timer: NodeJS.Timeout | null;
  timerAt: number | null;
  reported: { connected: boolean; role: HeartbeatBody['role']; epoch: number };
  peers: Map<string, { healthy: boolean; sentAt: number }>;
}

interface PairRuntime {
  state: PairState;
  profile: ThresholdProfile;
  /** inputs of one pair are decided one at a time, in arrival order */
  queue: Promise<unknown>;
  wake: NodeJS.Timeout | null;
  wakeAt: number | null;
}

export interface LoadedPair {
  state: PairState;
  profile: ThresholdProfile;
}

const HEALTHY = { healthy: true } as const;
export const DEFAULT_RESTART_GRACE_MS = 30_000;

function unhealthyBeat(body: HeartbeatBody) {
  const failed = body.components.filter((c) => !c.healthy).map((c) => `${c.name}: ${c.detail ?? 'unhealthy'}`);
  return { healthy: false, detail: failed.join('; ') || 'the agent reports unhealthy' };
}

export class HaEngine {
  private readonly pairs = new Map<string, PairRuntime>();
  private readonly nodes = new Map<string, NodeRuntime>();
  private readonly suspects = new Set<string>();
  private brake: BrakeState;
  private stopped = false;
  private massRecheck: NodeJS.Timeout | null = null;
  /** nodes whose deadline fired late, to judge once the sockets have been read */
  private readonly stalled = new Set<string>();
  /** the stall being caught up with: reported once, after the sockets have been read */
  private stall: { worstMs: number; credited: number; immediate: NodeJS.Immediate } | null = null;

  constructor(private readonly o: EngineOptions) {
    this.brake = createBrake(o.brake ?? DEFAULT_BRAKE);
  }

  /** After a (re)start: every pair resumes from its persisted state, verdicts start over (rule 9). */
  async start(loaded: LoadedPair[]): Promise<void> {
    const now = this.o.clock.now();
    // Agents come back on their own backoff: silence is not judged until they had the time to.
    for (const p of loaded)
      this.addPairRuntime(p.state, p.profile, now, this.o.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS);
    await Promise.all(loaded.map((p) => this.dispatch(p.state.pairId, { type: 'restart' })));
  }

  /** A pair linked (or re-linked) while running: its members start with no verdict. */
  addPair(state: PairState, profile: ThresholdProfile): void {
    const now = this.o.clock.now();
    this.addPairRuntime(state, profile, now);
    this.o.onPairChange?.({ pairId: state.pairId, state, at: now, alertsChanged: false });
    // Agents already connected before the pair existed: tell the manager, as a reconnect would.
    for (const m of state.members) {
      const known = this.o.nodeNow?.(m.nodeId);
      const node = this.nodes.get(m.nodeId);
      if (!known || !node || !known.connected) continue;
      node.reported = { connected: true, role: known.role, epoch: known.epoch };
      void this.dispatch(state.pairId, { type: 'node-report', nodeId: m.nodeId, ...node.reported });
    }
  }

  removePair(pairId: string): void {
    const rt = this.pairs.get(pairId);
    if (!rt) return;
    this.dropPairRuntime(pairId, rt);
    this.o.onPairChange?.({ pairId, state: rt.state, at: this.o.clock.now(), alertsChanged: false });
  }

  private dropPairRuntime(pairId: string, rt: PairRuntime) {
    if (rt.wake) clearTimeout(rt.wake);
    for (const m of rt.state.members) this.dropNode(m.nodeId);
    this.pairs.delete(pairId);
  }

  /**
   * New settings land between two decisions. A new threshold profile applies
   * from now; signals already fired stand.
   */
  reconfigure(
    pairId: string,
    patch: Partial<Pick<PairState, 'members' | 'failbackPolicy' | 'commandTimeoutMs'>> & { profile?: ThresholdProfile },
  ): Promise<PairState | undefined> {
    return this.enqueue(pairId, undefined, async () => {
      const rt = this.pairs.get(pairId);
      if (!rt) return undefined;
      const { profile, ...rest } = patch;
      rt.state = { ...rt.state, ...rest };
      if (profile) {
        rt.profile = profile;
        for (const m of rt.state.members) {
          const node = this.nodes.get(m.nodeId);
          if (node?.timer) clearTimeout(node.timer);
          if (node) {
            node.timer = null;
            node.timerAt = null;
          }
          this.armTimer(m.nodeId);
        }
      }
      this.o.onPairChange?.({ pairId, state: rt.state, at: this.o.clock.now(), alertsChanged: false });
      return rt.state;
    });
  }

  pair(pairId: string): PairState | undefined {
    return this.pairs.get(pairId)?.state;
  }

  profile(pairId: string): ThresholdProfile | undefined {
    return this.pairs.get(pairId)?.profile;
  }

  pairIds(): string[] {
    return [...this.pairs.keys()];
  }

  track(nodeId: string): NodeTrack | undefined {
    return this.nodes.get(nodeId)?.track;
  }

  fleetView(now = this.o.clock.now()): FleetView {
    return {
      pairedNodes: this.nodes.size,
      suspectNodes: this.suspects.size,
      massFailure: this.o.massFailure ?? DEFAULT_MASS_FAILURE,
      brake: brakeView(this.brake, now),
    };
  }

  /** Admin released the global brake: held pairs look again. */
  async releaseBrake(): Promise<void> {
    this.brake = releaseBrake(this.brake);
    await this.reevaluateHeld('global-brake');
  }

  // ---- ingest ------------------------------------------------------------------------

  heartbeat(nodeId: string, receivedAt: number, body: HeartbeatBody): void {
    const node = this.nodes.get(nodeId);
    const rt = node && this.pairs.get(node.pairId);
    if (!node || !rt || this.stopped) return;
    const at = this.creditStall(node, rt, receivedAt);
    const step = onBeat(node.track, body.healthy ? HEALTHY : unhealthyBeat(body), at, rt.profile);
    node.track = step.track;
    this.noteSuspect(node, at, rt.profile);
    if (node.reported.role !== body.role || node.reported.epoch !== body.epoch) {
      // a beat over HTTP proves the node alive but not a WebSocket for commands: keep `connected` as it was
      node.reported = { ...node.reported, role: body.role, epoch: body.epoch };
      void this.dispatch(node.pairId, { type: 'node-report', nodeId, ...node.reported });
    }
    for (const peer of body.peers ?? []) this.peerReport(node, rt, peer.node, peer.healthy, peer, at);
    this.emitSignals(node, step.signals);
    this.armTimer(nodeId);
  }

  connection(nodeId: string, connected: boolean): void {
    const node = this.nodes.get(nodeId);
    if (!node || this.stopped) return;
    if (node.reported.connected === connected) return;
    node.reported = { ...node.reported, connected };
    void this.dispatch(node.pairId, { type: 'node-report', nodeId, ...node.reported });
  }

  /** Operator commands; resolves with the manager's answer once its effects are durable. */
  operator(pairId: string, input: Extract<ManagerInput, { actor: string }>): Promise<Outcome | undefined> {
    return this.dispatch(pairId, input);
  }

  stop(): void {
    this.stopped = true;
    if (this.massRecheck) clearTimeout(this.massRecheck);
    if (this.stall) clearImmediate(this.stall.immediate);
    for (const node of this.nodes.values()) if (node.timer) clearTimeout(node.timer);
    for (const rt of this.pairs.values()) if (rt.wake) clearTimeout(rt.wake);
  }

  /** Resolves when every queued decision has been taken and committed. */
  async idle(): Promise<void> {
    for (;;) {
      const queues = [...this.pairs.values()].map((rt) => rt.queue);
      await Promise.all(queues);
      if ([...this.pairs.values()].every((rt, i) => rt.queue === queues[i])) return;
    }
  }

  // ---- internals -----------------------------------------------------------------------

  private addPairRuntime(state: PairState, profile: ThresholdProfile, now: number, silenceGraceMs = 0) {
    const existing = this.pairs.get(state.pairId);
    if (existing) this.dropPairRuntime(state.pairId, existing);
    this.pairs.set(state.pairId, { state, profile, queue: Promise.resolve(), wake: null, wakeAt: null });
    for (const m of state.members) {
      this.dropNode(m.nodeId);
      const role = m.nodeId === state.activeNodeId ? 'active' : 'passive';
      this.nodes.set(m.nodeId, {
        nodeId: m.nodeId,
        pairId: state.pairId,
        track: createTrack(m.nodeId, role, now, silenceGraceMs),
        timer: null,
        timerAt: null,
        reported: { connected: false, role: 'unknown', epoch: 0 },
        peers: new Map(),
      });
      this.armTimer(m.nodeId);
    }
  }

  private dropNode(nodeId: string) {
    const node = this.nodes.get(nodeId);
    if (node?.timer) clearTimeout(node.timer);
    this.nodes.delete(nodeId);
    this.suspects.delete(nodeId);
    this.stalled.delete(nodeId);
  }

  private peerReport(
    node: NodeRuntime,
    rt: PairRuntime,
    peerName: string,
    healthy: boolean,
    peer: NonNullable<HeartbeatBody['peers']>[number],
    now: number,
  ) {
    const about = rt.state.members.find((m) => m.name === peerName && m.nodeId !== node.nodeId);
    if (!about) return;
    const last = node.peers.get(about.nodeId);
    const refresh = this.o.peerRefreshMs ?? 1000;
    if (last && last.healthy === healthy && now - last.sentAt < refresh) return;
    node.peers.set(about.nodeId, { healthy, sentAt: now });
    const detail = peer.components
      .map((c) => `${c.name} ${c.healthy ? 'ok' : `failed${c.detail ? `: ${c.detail}` : ''}`}`)
      .join(', ');
    void this.dispatch(node.pairId, {
      type: 'peer-report',
      reporter: node.nodeId,
      about: about.nodeId,
      healthy,
      detail,
    });
  }

  private noteSuspect(node: NodeRuntime, now: number, profile: ThresholdProfile) {
    const was = this.suspects.has(node.nodeId);
    const is = isSuspect(node.track, now, profile);
    if (is) this.suspects.add(node.nodeId);
    else this.suspects.delete(node.nodeId);
    // The fleet got healthier: pairs held by the mass-failure guard may move now. Looked at
    // once per second at most: a fleet coming back would otherwise re-decide every pair per node.
    if (was && !is && !this.massRecheck) {
      this.massRecheck = setTimeout(() => {
        this.massRecheck = null;
        void this.reevaluateHeld('mass-failure');
      }, 1000);
      this.massRecheck.unref?.();
    }
  }

  private emitSignals(node: NodeRuntime, signals: Signal[]) {
    for (const signal of signals) {
      this.o.onSignal?.(node.pairId, signal);
      void this.dispatch(node.pairId, { type: 'signal', signal });
    }
  }

  /**
   * One timer per node, at its next deadline. Healthy beats only push deadlines
   * later, so a beat re-arms only when its deadline came earlier; a timer that
   * fires early simply re-arms for the real deadline.
   */
  private armTimer(nodeId: string) {
    const node = this.nodes.get(nodeId);
    const rt = node && this.pairs.get(node.pairId);
    if (!node || !rt || this.stopped) return;
    const at = nextDeadline(node.track, rt.profile);
    if (at === null) {
      if (node.timer) clearTimeout(node.timer);
      node.timer = null;
      node.timerAt = null;
      return;
    }
    if (node.timer && node.timerAt !== null && node.timerAt <= at) return;
    if (node.timer) clearTimeout(node.timer);
    node.timerAt = at;
    node.timer = setTimeout(() => this.onNodeTimer(nodeId), Math.max(0, at - this.o.clock.now()));
    node.timer.unref?.();
  }

  private onNodeTimer(nodeId: string) {
    const node = this.nodes.get(nodeId);
    const rt = node && this.pairs.get(node.pairId);
    if (!node || !rt || this.stopped) return;
    node.timer = null;
    node.timerAt = null;
    const now = this.o.clock.now();
    const due = nextDeadline(node.track, rt.profile);
    if (due !== null && now - due > this.stallToleranceMs) {
      // Fired late: the server stalled, and beats that came meanwhile wait unread. Read them first.
      this.stalled.add(nodeId);
      this.noteStall(now - due, 0);
      return;
    }
    this.judgeNow(node, rt, now);
  }

  private get stallToleranceMs() {
    return this.o.stallToleranceMs ?? STALL_TOLERANCE_MS;
  }

  /**
   * A beat read well past its node's pending deadline, whose timer never got
   * to run: the server stalled, and the beat may have arrived in time. It
   * counts at that deadline (a beat at a deadline counts before it fires), as
   * does every beat read in the same catch-up.
   */
  private creditStall(node: NodeRuntime, rt: PairRuntime, receivedAt: number): number {
    // The common case, without a deadline search: the armed timer is never later than the deadline.
    if (node.timerAt !== null && receivedAt <= node.timerAt) return receivedAt;
    const due = nextDeadline(node.track, rt.profile);
    if (due === null || receivedAt <= due) return receivedAt;
    // past it by more than the tolerance, or read in the catch-up after a stall seen already
    if (receivedAt - due <= this.stallToleranceMs && !this.stall) return receivedAt;
    this.noteStall(receivedAt - due, 1);
    return due;
  }

  /** setImmediate runs after the poll phase: by then the frames that waited in the sockets have been read. */
  private noteStall(lateMs: number, credited: number) {
    if (this.stall) {
      this.stall.worstMs = Math.max(this.stall.worstMs, lateMs);
      this.stall.credited += credited;
      return;
    }
    const immediate = setImmediate(() => {
      const stall = this.stall;
      this.stall = null;
      const now = this.o.clock.now();
      const missed = [...this.stalled];
      this.stalled.clear();
      for (const nodeId of missed) {
        const node = this.nodes.get(nodeId);
        const rt = node && this.pairs.get(node.pairId);
        if (node && rt) this.judgeNow(node, rt, now);
      }
      this.o.log.warn(
        {
          stalledMs: Math.round(stall?.worstMs ?? lateMs),
          deadlinesMissed: missed.length,
          beatsCreditedAtDeadline: stall?.credited ?? credited,
        },
        'the server stalled past node deadlines: it read the heartbeats that waited before judging silence',
      );
    });
    this.stall = { worstMs: lateMs, credited, immediate };
  }

  private judgeNow(node: NodeRuntime, rt: PairRuntime, now: number) {
    if (node.timer) clearTimeout(node.timer);
    node.timer = null;
    node.timerAt = null;
    const step = onTime(node.track, now, rt.profile);
    node.track = step.track;
    this.noteSuspect(node, now, rt.profile);
    this.emitSignals(node, step.signals);
    this.armTimer(node.nodeId);
  }

  private armWake(pairId: string) {
    const rt = this.pairs.get(pairId);
    if (!rt || this.stopped) return;
    const now = this.o.clock.now();
    const at = nextWakeAt(rt.state, this.fleetView(now), now);
    if (at === rt.wakeAt) return;
    if (rt.wake) clearTimeout(rt.wake);
    rt.wake = null;
    rt.wakeAt = at;
    if (at === null) return;
    rt.wake = setTimeout(
      () => {
        rt.wake = null;
        rt.wakeAt = null;
        // after a stall, a command result may wait unread in a socket: read it before a deadline passes
        judgeAfterPendingFrames(
          this.o.clock,
          at,
          () => void this.dispatch(pairId, { type: 'tick' }),
          this.o.stallToleranceMs,
        );
      },
      Math.max(0, at - now),
    );
    rt.wake.unref?.();
  }

  private async reevaluateHeld(guard: 'mass-failure' | 'global-brake') {
    if (guard === 'mass-failure' && massFailure(this.fleetView())) return;
    const held = [...this.pairs.entries()].filter(([, rt]) => rt.state.hold?.guard === guard).map(([id]) => id);
    await Promise.all(held.map((id) => this.dispatch(id, { type: 'reevaluate' })));
  }

  private dispatch(pairId: string, input: ManagerInput): Promise<Outcome | undefined> {
    return this.enqueue(pairId, undefined, () => this.process(pairId, input));
  }

  /** Runs `work` after every decision already queued for the pair, before any queued later. */
  private enqueue<T>(pairId: string, missing: T, work: () => Promise<T>): Promise<T> {
    const rt = this.pairs.get(pairId);
    if (!rt) return Promise.resolve(missing);
    const run = rt.queue.then(work);
    rt.queue = run.catch(() => undefined);
    return run;
  }

  private async process(pairId: string, input: ManagerInput): Promise<Outcome | undefined> {
    const rt = this.pairs.get(pairId);
    if (!rt || this.stopped) return undefined;
    const now = this.o.clock.now();
    const { state, effects, outcome } = decide(rt.state, input, now, this.fleetView(now));
    const persist = effects[0]?.type === 'persist-state';
    const events = effects.filter((e): e is EventEffect => e.type === 'append-event');
    const alerts = effects.filter((e): e is AlertEffect =>
      ['raise-alert', 'clear-alert', 'acknowledge-alert'].includes(e.type),
    );
    if (persist || events.length > 0 || alerts.length > 0) {
      try {
        await this.o.store.commit({ pairId, at: now, ...(persist ? { state } : {}), events, alerts });
      } catch (error) {
        // Not durable, so it did not happen: the state stays as it was and no command goes out.
        this.o.log.error({ err: error, pairId, input: input.type }, 'could not persist a decision; it is dropped');
        return { ok: false, code: 'STORE_FAILED', message: 'the decision could not be stored; nothing was done' };
      }
    }
    rt.state = state;
    for (const effect of effects) this.perform(pairId, rt, effect);
    if (effects.length > 0)
      this.o.onPairChange?.({ pairId, state: rt.state, at: now, alertsChanged: alerts.length > 0 });
    this.armWake(pairId);
    return outcome;
  }

  private perform(pairId: string, rt: PairRuntime, e: Effect) {
    switch (e.type) {
      case 'send-command': {
        const { nodeId, command, commandId, epoch, deadlineAt, timeoutMs } = e;
        this.o.commands
          .send(nodeId, { commandId, command, epoch, pairId, timeoutMs }, { deadlineAt, waitForConnection: true })
          .then((outcome) => {
            if (outcome.status !== 'result') return; // the manager's own deadline tick decides
            const r = outcome.result;
            return this.dispatch(pairId, {
              type: 'command-result',
              nodeId,
              commandId: r.commandId,
              ok: r.ok,
              exitCode: r.exitCode,
              output: r.output,
              ...(r.refused ? { refused: r.refused } : {}),
            });
          })
          .catch((error: unknown) => this.o.log.error({ err: error, nodeId, commandId }, 'command delivery failed'));
        return;
      }
      case 'set-role': {
        const node = this.nodes.get(e.nodeId);
        if (!node) return;
        const step = setRole(node.track, e.role, this.o.clock.now(), rt.profile);
        node.track = step.track;
        this.emitSignals(node, step.signals);
        this.armTimer(e.nodeId);
        return;
      }
      case 'auto-switchover-started':
        this.brake = recordAutoSwitchover(this.brake, e.at);
        return;
      case 'engage-brake':
        this.brake = engageBrake(this.brake, e.at);
        this.o.log.warn({ pairId }, 'global brake engaged');
        return;
      default:
        return;
    }
  }
}
