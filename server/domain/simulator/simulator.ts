import type { CommandName } from '../../contract/agent-protocol.ts';
import type { Role } from '../../contract/thresholds.ts';
import {
  brakeView,
  createBrake,
  DEFAULT_MASS_FAILURE,
  engageBrake,
  recordAutoSwitchover,
  releaseBrake,
} from '../fleet/brake.ts';
import { type DisplayState, displayState } from '../ha/display.ts';
import { type DrillResult, drill } from '../ha/drill.ts';
import { massFailure } from '../ha/guards.ts';
import { decide, nextWakeAt } from '../ha/manager.ts';
import { createPairState } from '../ha/pair.ts';
import type { Effect, FleetView, ManagerInput, Outcome, PairState, SwitchoverIntent } from '../ha/types.ts';
import {
  createTrack,
  isSuspect,
  type NodeTrack,
  nextDeadline,
  onBeat,
  onTime,
  type Signal,
  setRole,
} from '../thresholds/evaluator.ts';
import type { CommandBehaviour, Scenario, ScenarioEvent, ScenarioNode } from './scenario.ts';

/**
 * A deterministic simulator: a virtual clock, simulated agents speaking the
 * protocol's semantics (epochs, idempotent command ids, hooks that succeed,
 * fail, or hang), the real threshold evaluator and the real HA manager, and a
 * fake executor that persists, sends and alerts in the order the real one must.
 * It returns the timeline. Same scenario, same timeline.
 */

export type TimelineEntry =
  | { at: number; type: 'signal'; pairId: string; signal: Signal }
  | {
      at: number;
      type: 'decision';
      pairId: string;
      input: ManagerInput;
      effects: Effect[];
      outcome?: Outcome;
      after: StateSnapshot;
    }
  | { at: number; type: 'agent'; nodeId: string; what: string }
  | { at: number; type: 'drill'; pairId: string; nodeId: string; result: DrillResult }
  | { at: number; type: 'server'; what: string };

export interface StateSnapshot {
  epochBefore: number;
  epoch: number;
  activeNodeId: string | null;
  autoFailover: boolean;
  maintenance: boolean;
  switchover: SwitchoverIntent | null;
  display: DisplayState;
  /** member views as the decision left them (a switchover never changes them), for invariant checks */
  targets: Record<string, { verdict: string; stable: boolean }>;
}

/** A promote hook that really ran on an agent (duplicates excluded). */
export interface Promotion {
  at: number;
  pairId: string;
  nodeId: string;
  epoch: number;
  commandId: string;
}

export interface SimulationResult {
  timeline: TimelineEntry[];
  promotions: Promotion[];
  pairs: Record<string, PairState>;
  /** the last state each pair persisted: what a restart would load */
  persisted: Record<string, PairState>;
  alerts: Record<
    string,
    { kind: string; open: boolean; raisedAt: number; count: number; acknowledged: boolean; message: string }
  >;
  agents: Record<string, { role: string; epoch: number }>;
}

interface AgentSim {
  nodeId: string;
  alive: boolean;
  linkUp: boolean;
  connected: boolean;
  mode: 'healthy' | 'unhealthy' | 'stopped';
  beatEveryMs: number;
  beatGen: number;
  role: 'active' | 'passive';
  epoch: number;
  executed: Map<string, { ok: boolean; output: string; exitCode: number | null; refused?: string }>;
  promotedEpochs: Set<number>;
  commands: Partial<Record<CommandName, CommandBehaviour>>;
  peer: { about: string; healthy: boolean; detail?: string } | null;
  reported: { connected: boolean; role: string; epoch: number } | null;
}

type SendCommand = Extract<Effect, { type: 'send-command' }>;

/** A binary min-heap of timed work; equal instants run in the order they were queued. */
class Queue {
  private heap: QueueItem[] = [];
  private seq = 0;

  push(at: number, run: () => void) {
    const h = this.heap;
    const item = { at, seq: this.seq++, run };
    let i = h.length;
    h.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as QueueItem;
      if (!before(item, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = item;
  }

  pop(): QueueItem | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!last || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = -1;
      let best = last;
      const left = h[l];
      const right = h[r];
      if (left && before(left, best)) {
        m = l;
        best = left;
      }
      if (right && before(right, best)) m = r;
      if (m < 0) break;
      h[i] = h[m] as QueueItem;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

interface QueueItem {
  at: number;
  seq: number;
  run: () => void;
}

function before(a: QueueItem, b: QueueItem): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function shortestInterval(s: Scenario): number {
  const intervals = (['active', 'passive'] as Role[]).flatMap((r) => {
    const p = s.profile[r];
    return [p.up.intervalMs, p.down.intervalMs, p.downHeartbeat.intervalMs];
  });
  return Math.min(...intervals);
}

export function simulate(scenario: Scenario): SimulationResult {
  return new Simulation(scenario).run();
}

class Simulation {
  private readonly queue = new Queue();
  private now: number;
  private readonly timeline: TimelineEntry[] = [];
  private readonly promotions: Promotion[] = [];
  private readonly tracks = new Map<string, NodeTrack>();
  private pairs = new Map<string, PairState>();
  private readonly persisted = new Map<string, PairState>();
  private readonly nodePair = new Map<string, string>();
  private readonly agents = new Map<string, AgentSim>();
  private brake;
  private readonly deadlineAt = new Map<string, number>();
  private readonly wakeAt = new Map<string, number>();
  private readonly pending = new Map<string, SendCommand[]>();
  private readonly alerts: SimulationResult['alerts'] = {};
  /** bumps on a server restart: in-flight work of the old server is dropped */
  private serverGen = 0;

  constructor(private readonly s: Scenario) {
    this.now = s.startAt ?? 0;
    this.brake = createBrake(s.brake);
    const beatDefault = s.defaultBeatEveryMs ?? Math.max(1, Math.floor(shortestInterval(s) / 5));
    for (const p of s.pairs) {
      let state = createPairState({
        pairId: p.id,
        name: p.name ?? p.id,
        members: p.members.map((m) => ({ nodeId: m.id, name: m.name ?? m.id, weight: m.weight })),
        ...(p.active !== undefined ? { activeNodeId: p.active } : {}),
        ...(p.failbackPolicy ? { failbackPolicy: p.failbackPolicy } : {}),
        ...(p.commandTimeoutMs !== undefined ? { commandTimeoutMs: p.commandTimeoutMs } : {}),
      });
      state = { ...state, autoFailover: p.autoFailover ?? false, maintenance: p.maintenance ?? false };
      this.pairs.set(p.id, state);
      this.persisted.set(p.id, structuredClone(state));
      for (const m of p.members) {
        this.nodePair.set(m.id, p.id);
        const cfg: ScenarioNode = s.nodes?.[m.id] ?? {};
        const role = cfg.role ?? (m.id === state.activeNodeId ? 'active' : 'passive');
        this.tracks.set(m.id, createTrack(m.id, m.id === state.activeNodeId ? 'active' : 'passive', this.now));
        this.agents.set(m.id, {
          nodeId: m.id,
          alive: true,
          linkUp: true,
          connected: cfg.connected ?? true,
          mode: cfg.beats ?? 'healthy',
          beatEveryMs: cfg.beatEveryMs ?? beatDefault,
          beatGen: 0,
          role,
          epoch: cfg.epoch ?? 0,
          executed: new Map(),
          promotedEpochs: new Set(),
          commands: { ...cfg.commands },
          peer: null,
          reported: null,
        });
      }
    }
    for (const agent of this.agents.values()) {
      const first = s.nodes?.[agent.nodeId]?.firstBeatAt ?? this.now;
      this.scheduleBeat(agent, first);
      if (agent.connected) this.queue.push(this.now, () => this.report(agent));
    }
    for (const nodeId of this.tracks.keys()) this.scheduleDeadline(nodeId);
    for (const e of s.events ?? []) this.queue.push(e.at, () => this.apply(e));
  }

  run(): SimulationResult {
    for (;;) {
      const next = this.queue.pop();
      if (!next || next.at > this.s.until) break;
      this.now = next.at;
      next.run();
    }
    const agents: SimulationResult['agents'] = {};
    for (const a of this.agents.values()) agents[a.nodeId] = { role: a.role, epoch: a.epoch };
    return {
      timeline: this.timeline,
      promotions: this.promotions,
      pairs: Object.fromEntries(this.pairs),
      persisted: Object.fromEntries(this.persisted),
      alerts: this.alerts,
      agents,
    };
  }

  // ---- fleet ------------------------------------------------------------------------

  private fleet(): FleetView {
    let suspect = 0;
    for (const t of this.tracks.values()) if (isSuspect(t, this.now, this.s.profile)) suspect += 1;
    return {
      pairedNodes: this.tracks.size,
      suspectNodes: suspect,
      massFailure: this.s.massFailure ?? DEFAULT_MASS_FAILURE,
      brake: brakeView(this.brake, this.now),
    };
  }

  // ---- the manager and the executor ------------------------------------------------

  private decide(pairId: string, input: ManagerInput): Outcome | undefined {
    const before = this.pairs.get(pairId);
    if (!before) return undefined;
    const fleet = this.fleet();
    const { state, effects, outcome } = decide(before, input, this.now, fleet);
    this.pairs.set(pairId, state);
    if (effects.length > 0 || outcome) {
      this.timeline.push({
        at: this.now,
        type: 'decision',
        pairId,
        input,
        effects,
        ...(outcome ? { outcome } : {}),
        after: snapshot(before, state),
      });
    }
    for (const effect of effects) this.perform(pairId, state, effect);
    this.scheduleWake(pairId);
    return outcome;
  }

  private perform(pairId: string, state: PairState, e: Effect) {
    switch (e.type) {
      case 'persist-state':
        this.persisted.set(pairId, structuredClone(state));
        return;
      case 'send-command':
        this.deliver(e);
        return;
      case 'raise-alert': {
        const a = this.alerts[e.key];
        if (a?.open) a.count += 1;
        else
          this.alerts[e.key] = {
            kind: e.kind,
            open: true,
            raisedAt: this.now,
            count: 1,
            acknowledged: false,
            message: e.message,
          };
        return;
      }
      case 'clear-alert': {
        const a = this.alerts[e.key];
        if (a) a.open = false;
        return;
      }
      case 'acknowledge-alert': {
        const a = this.alerts[e.key];
        if (a) {
          a.acknowledged = true;
          a.open = false;
        }
        return;
      }
      case 'auto-switchover-started':
        this.brake = recordAutoSwitchover(this.brake, e.at);
        return;
      case 'engage-brake':
        this.brake = engageBrake(this.brake, e.at);
        return;
      case 'set-role': {
        const track = this.tracks.get(e.nodeId);
        if (!track) return;
        const step = setRole(track, e.role, this.now, this.s.profile);
        this.tracks.set(e.nodeId, step.track);
        this.handleSignals(e.nodeId, step.signals);
        return;
      }
      case 'append-event':
        return;
    }
  }

  private scheduleWake(pairId: string) {
    const state = this.pairs.get(pairId);
    if (!state) return;
    const at = nextWakeAt(state, this.fleet(), this.now);
    if (at === null || this.wakeAt.get(pairId) === at) return;
    this.wakeAt.set(pairId, at);
    const gen = this.serverGen;
    this.queue.push(Math.max(at, this.now), () => {
      if (gen !== this.serverGen || this.wakeAt.get(pairId) !== at) return;
      this.wakeAt.delete(pairId);
      this.decide(pairId, { type: 'tick' });
    });
  }

  // ---- thresholds --------------------------------------------------------------------

  private scheduleDeadline(nodeId: string) {
    const track = this.tracks.get(nodeId);
    if (!track) return;
    let at = nextDeadline(track, this.s.profile);
    if (at === null) return;
    if (this.s.tickMs) at = Math.ceil(at / this.s.tickMs) * this.s.tickMs;
    if (this.deadlineAt.get(nodeId) === at) return;
    this.deadlineAt.set(nodeId, at);
    const gen = this.serverGen;
    this.queue.push(Math.max(at, this.now), () => {
      if (gen !== this.serverGen || this.deadlineAt.get(nodeId) !== at) return;
      this.deadlineAt.delete(nodeId);
      const current = this.tracks.get(nodeId);
      if (!current) return;
      const step = onTime(current, this.now, this.s.profile);
      this.tracks.set(nodeId, step.track);
      this.handleSignals(nodeId, step.signals);
      this.scheduleDeadline(nodeId);
    });
  }

  private handleSignals(nodeId: string, signals: Signal[]) {
    const pairId = this.nodePair.get(nodeId);
    if (!pairId) return;
    for (const signal of signals) {
      this.timeline.push({ at: this.now, type: 'signal', pairId, signal });
      this.decide(pairId, { type: 'signal', signal });
    }
    this.scheduleDeadline(nodeId);
    if (signals.length > 0) this.reevaluateHeld('mass-failure', () => !massFailure(this.fleet()));
  }

  private reevaluateHeld(guard: 'mass-failure' | 'global-brake', cleared: () => boolean) {
    for (const [pairId, state] of this.pairs) {
      if (state.hold?.guard === guard && cleared()) this.decide(pairId, { type: 'reevaluate' });
    }
  }

  // ---- agents ------------------------------------------------------------------------

  private scheduleBeat(agent: AgentSim, at: number) {
    const gen = agent.beatGen;
    this.queue.push(at, () => {
      if (gen !== agent.beatGen) return;
      this.beat(agent);
      this.scheduleBeat(agent, this.now + agent.beatEveryMs);
    });
  }

  private beat(agent: AgentSim) {
    if (!agent.alive || agent.mode === 'stopped' || !agent.connected) return;
    const track = this.tracks.get(agent.nodeId);
    if (!track) return;
    this.report(agent);
    const healthy = agent.mode === 'healthy';
    const step = onBeat(
      track,
      healthy ? { healthy } : { healthy, detail: 'critical component failed' },
      this.now,
      this.s.profile,
    );
    this.tracks.set(agent.nodeId, step.track);
    const pairId = this.nodePair.get(agent.nodeId);
    if (pairId && agent.peer) {
      this.decide(pairId, {
        type: 'peer-report',
        reporter: agent.nodeId,
        about: agent.peer.about,
        healthy: agent.peer.healthy,
        detail: agent.peer.detail ?? '',
      });
    }
    this.handleSignals(agent.nodeId, step.signals);
  }

  /** node-report when connection, role or epoch changed since the last report */
  private report(agent: AgentSim) {
    const pairId = this.nodePair.get(agent.nodeId);
    const r = agent.reported;
    if (!pairId || (r && r.connected === agent.connected && r.role === agent.role && r.epoch === agent.epoch)) return;
    agent.reported = { connected: agent.connected, role: agent.role, epoch: agent.epoch };
    this.decide(pairId, {
      type: 'node-report',
      nodeId: agent.nodeId,
      connected: agent.connected,
      role: agent.role,
      epoch: agent.epoch,
    });
  }

  private setConnected(agent: AgentSim, connected: boolean) {
    if (agent.connected === connected) return;
    agent.connected = connected;
    this.report(agent);
    if (connected) {
      const queued = this.pending.get(agent.nodeId) ?? [];
      this.pending.delete(agent.nodeId);
      for (const cmd of queued) if (cmd.deadlineAt > this.now) this.deliver(cmd);
    }
  }

  /** The executor: a command reaches a connected agent, or waits for it until its deadline. */
  private deliver(cmd: SendCommand) {
    const agent = this.agents.get(cmd.nodeId);
    if (!agent) return;
    if (!agent.connected) {
      this.pending.set(cmd.nodeId, [...(this.pending.get(cmd.nodeId) ?? []), cmd]);
      return;
    }
    const gen = this.serverGen;
    const behaviour = agent.commands[cmd.command] ?? { result: 'ok', latencyMs: 10 };
    const latency = behaviour.result === 'hang' ? 0 : (behaviour.latencyMs ?? 10);
    const result = this.execute(agent, cmd, behaviour);
    if (!result) return;
    this.queue.push(this.now + latency, () => {
      if (gen !== this.serverGen) return;
      if (!agent.connected) {
        // the answer is lost with the connection; the command is re-sent on reconnect and replayed
        this.pending.set(cmd.nodeId, [...(this.pending.get(cmd.nodeId) ?? []), cmd]);
        return;
      }
      this.report(agent);
      const pairId = this.nodePair.get(agent.nodeId);
      if (!pairId) return;
      this.decide(pairId, {
        type: 'command-result',
        nodeId: agent.nodeId,
        commandId: cmd.commandId,
        ok: result.ok,
        exitCode: result.exitCode,
        output: result.output,
        ...(result.refused ? { refused: result.refused } : {}),
      });
    });
  }

  /** The agent's side: epochs, at-most-once command ids, hooks. Returns null when it never answers. */
  private execute(agent: AgentSim, cmd: SendCommand, behaviour: CommandBehaviour) {
    const seen = agent.executed.get(cmd.commandId);
    if (seen) return seen;
    if (cmd.epoch < agent.epoch) {
      const refused = {
        ok: false,
        output: `epoch ${cmd.epoch} is older than ${agent.epoch}`,
        exitCode: null,
        refused: 'stale-epoch',
      };
      this.timeline.push({
        at: this.now,
        type: 'agent',
        nodeId: agent.nodeId,
        what: `refused ${cmd.command} (stale epoch ${cmd.epoch})`,
      });
      return refused;
    }
    agent.epoch = cmd.epoch;
    if (cmd.command === 'promote' && agent.promotedEpochs.has(cmd.epoch)) {
      return { ok: true, output: 'already promoted at this epoch', exitCode: 0 };
    }
    if (behaviour.result === 'hang') {
      this.timeline.push({ at: this.now, type: 'agent', nodeId: agent.nodeId, what: `${cmd.command} hangs` });
      return null;
    }
    let result: { ok: boolean; output: string; exitCode: number | null; refused?: string };
    if (behaviour.result === 'refuse-check' && (cmd.command === 'prepare' || cmd.command === 'promote')) {
      result = {
        ok: false,
        output: behaviour.output ?? 'pre-promote check failed',
        exitCode: 1,
        refused: 'pre-promote-check',
      };
    } else if (behaviour.result === 'fail') {
      result = {
        ok: false,
        output: behaviour.output ?? `${cmd.command} hook failed`,
        exitCode: behaviour.exitCode ?? 1,
      };
    } else {
      result = { ok: true, output: behaviour.result === 'ok' ? (behaviour.output ?? '') : '', exitCode: 0 };
      if (cmd.command === 'promote') {
        agent.role = 'active';
        agent.promotedEpochs.add(cmd.epoch);
        const pairId = this.nodePair.get(agent.nodeId) ?? '';
        this.promotions.push({
          at: this.now,
          pairId,
          nodeId: agent.nodeId,
          epoch: cmd.epoch,
          commandId: cmd.commandId,
        });
      }
      if (cmd.command === 'demote' || cmd.command === 'fence') agent.role = 'passive';
    }
    agent.executed.set(cmd.commandId, result);
    this.timeline.push({
      at: this.now,
      type: 'agent',
      nodeId: agent.nodeId,
      what: `${cmd.command} ${result.ok ? 'ok' : 'failed'} (epoch ${cmd.epoch})`,
    });
    return result;
  }

  // ---- scenario events -----------------------------------------------------------------

  private apply(e: ScenarioEvent) {
    if ('beats' in e) {
      const agent = this.agents.get(e.node);
      if (agent) agent.mode = e.beats;
      return;
    }
    if ('agent' in e) {
      const agent = this.agents.get(e.node);
      if (!agent) return;
      agent.alive = e.agent === 'started';
      agent.beatGen += 1;
      if (agent.alive) {
        agent.mode = agent.mode === 'stopped' ? 'healthy' : agent.mode;
        this.setConnected(agent, agent.linkUp);
        this.scheduleBeat(agent, this.now);
      } else {
        this.setConnected(agent, false);
      }
      this.timeline.push({ at: this.now, type: 'agent', nodeId: e.node, what: `agent ${e.agent}` });
      return;
    }
    if ('link' in e) {
      const agent = this.agents.get(e.node);
      if (!agent) return;
      agent.linkUp = e.link === 'up';
      this.setConnected(agent, agent.alive && agent.linkUp);
      return;
    }
    if ('peer' in e) {
      const agent = this.agents.get(e.node);
      if (agent) agent.peer = e.peer;
      return;
    }
    if ('command' in e) {
      const agent = this.agents.get(e.node);
      if (agent) agent.commands[e.command] = e.behaviour;
      return;
    }
    if ('operator' in e) {
      this.decide(e.pair, e.operator);
      return;
    }
    if ('drill' in e) {
      const state = this.pairs.get(e.drill.pair);
      if (!state) return;
      const result = drill(state, e.drill.node, this.now, this.fleet());
      this.timeline.push({ at: this.now, type: 'drill', pairId: e.drill.pair, nodeId: e.drill.node, result });
      return;
    }
    if ('server' in e) {
      this.restart();
      return;
    }
    if ('fleet' in e) {
      this.brake = releaseBrake(this.brake);
      this.timeline.push({ at: this.now, type: 'server', what: 'global brake released' });
      this.reevaluateHeld('global-brake', () => true);
    }
  }

  /** The server process dies and starts again: only what was persisted survives. */
  private restart() {
    this.serverGen += 1;
    this.timeline.push({ at: this.now, type: 'server', what: 'restart' });
    this.pairs = new Map([...this.persisted].map(([id, st]) => [id, structuredClone(st)]));
    this.pending.clear();
    this.deadlineAt.clear();
    this.wakeAt.clear();
    for (const [nodeId, pairId] of this.nodePair) {
      const state = this.pairs.get(pairId);
      this.tracks.set(nodeId, createTrack(nodeId, state?.activeNodeId === nodeId ? 'active' : 'passive', this.now));
    }
    for (const agent of this.agents.values()) {
      agent.connected = false;
      agent.reported = null;
    }
    for (const pairId of this.pairs.keys()) this.decide(pairId, { type: 'restart' });
    for (const nodeId of this.tracks.keys()) this.scheduleDeadline(nodeId);
    const gen = this.serverGen;
    this.queue.push(this.now + (this.s.reconnectDelayMs ?? 500), () => {
      if (gen !== this.serverGen) return;
      for (const agent of this.agents.values()) if (agent.alive && agent.linkUp) this.setConnected(agent, true);
    });
  }
}

function snapshot(before: PairState, s: PairState): StateSnapshot {
  const targets: StateSnapshot['targets'] = {};
  for (const m of s.members) {
    const v = s.views[m.nodeId];
    targets[m.nodeId] = { verdict: v?.verdict ?? 'unknown', stable: v?.stable ?? false };
  }
  return {
    epochBefore: before.epoch,
    epoch: s.epoch,
    activeNodeId: s.activeNodeId,
    autoFailover: s.autoFailover,
    maintenance: s.maintenance,
    switchover: s.switchover,
    display: displayState(s),
    targets,
  };
}
