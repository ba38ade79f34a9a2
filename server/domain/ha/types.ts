import type { CommandName, NodeRole } from '../../contract/agent-protocol.ts';
import type { Signal, Verdict } from '../thresholds/evaluator.ts';

/** A member of a pair. Two today; nothing here assumes two. */
export interface PairMember {
  nodeId: string;
  name: string;
  /** the highest weight is the preferred active (default 51 primary, 49 secondary) */
  weight: number;
}

export type FailbackPolicy =
  | { kind: 'on-re-enable' }
  | { kind: 'after-healthy-streak'; streakMs: number }
  | { kind: 'manual' };

/** What the manager knows of one member, fed by signals and agent reports. */
export interface MemberView {
  verdict: Verdict;
  /** Up and no DownHeartbeat since: a valid failover target */
  stable: boolean;
  /** time of the last Up signal: start of the current stable streak */
  upSince: number | null;
  downSince: number | null;
  /** the Down signal's reason, quoted in explanations */
  downReason: string | null;
  /** the server's last healthy heartbeat from this node, as the last signal told */
  lastHealthyAt: number | null;
  /** first DownHeartbeat since the last Up, for explanations */
  unstableSince: number | null;
  lastDownHeartbeatAt: number | null;
  /** the agent's WebSocket is open */
  connected: boolean;
  /** what the agent last said it is */
  reportedRole: NodeRole;
  reportedEpoch: number;
  /** rule 8: when a demote was last sent to this node outside a switchover */
  staleDemoteSentAt: number | null;
  /** rule 11: this member's agent's latest view of the other members, by node id */
  peerViews: Record<string, PeerView>;
}

export interface PeerView {
  healthy: boolean;
  /** server receive time of the report carrying it */
  receivedAt: number;
  detail: string;
}

export type SwitchoverKind = 'failover' | 'failback' | 'manual';
export type SwitchoverStep = 'prepare' | 'demote' | 'promote';

/** Recorded before any command is sent; a restart resumes from it (rule 9). */
export interface SwitchoverIntent {
  id: string;
  kind: SwitchoverKind;
  from: string | null;
  to: string;
  epoch: number;
  startedAt: number;
  actor: string;
  /** the explanation of the decision */
  reason: string;
  step: SwitchoverStep;
  /** idempotency key of the current step's command: the agent runs it at most once */
  commandId: string;
  stepDeadlineAt: number;
  /** the old active was not connected: demote skipped, fencing by epoch */
  demoteSkipped: boolean;
}

/** The last automatic action a guard held, so the same hold is not logged again and again. */
export interface Hold {
  guard: GuardName;
  since: number;
  explanation: string;
}

export type GuardName =
  | 'maintenance'
  | 'awaiting-verdicts'
  | 'auto-failover-off'
  | 'no-target'
  | 'peer-witness'
  | 'mass-failure'
  | 'global-brake'
  | 'switchover-in-progress'
  | 'failback-streak'
  | 'no-active';

export interface PairState {
  pairId: string;
  name: string;
  members: PairMember[];
  /** null when no node is known to be active (a failed promote, or never set) */
  activeNodeId: string | null;
  /** the fencing term: +1 at every switchover, stored before any command */
  epoch: number;
  autoFailover: boolean;
  maintenance: boolean;
  failbackPolicy: FailbackPolicy;
  /** deadline for each command of a switchover */
  commandTimeoutMs: number;
  views: Record<string, MemberView>;
  switchover: SwitchoverIntent | null;
  /** set by an automatic failover; re-enabling auto-failover needs its alert acknowledged */
  pendingFailoverAck: { alertKey: string; at: number; to: string } | null;
  /** the active is down and nothing moved: since when (for the outage alert) */
  outageSince: number | null;
  hold: Hold | null;
}

// ---- inputs -----------------------------------------------------------------

export type ActorRole = 'admin' | 'operator' | 'viewer';

export type ManagerInput =
  | { type: 'signal'; signal: Signal }
  /** hello, role/epoch changes in heartbeats, connects and disconnects */
  | { type: 'node-report'; nodeId: string; connected: boolean; role: NodeRole; epoch: number }
  /** rule 11: `reporter`'s agent probed `about`'s critical endpoints */
  | { type: 'peer-report'; reporter: string; about: string; healthy: boolean; detail: string }
  | {
      type: 'command-result';
      nodeId: string;
      commandId: string;
      ok: boolean;
      exitCode: number | null;
      output: string;
      refused?: string;
    }
  /** the executor could not deliver a command (no connection) */
  | { type: 'command-undeliverable'; nodeId: string; commandId: string; reason: string }
  /** time passed: deadlines, failback streaks */
  | { type: 'tick' }
  /** fleet-wide conditions changed (mass failure cleared, brake released): look again */
  | { type: 'reevaluate' }
  /** the state was loaded after a server restart: verdicts are gone until nodes earn them again */
  | { type: 'restart' }
  | { type: 'set-auto-failover'; enabled: boolean; actor: string; ackReason?: string }
  | { type: 'set-maintenance'; enabled: boolean; actor: string }
  | {
      type: 'switchover';
      to: string;
      actor: string;
      actorRole: ActorRole;
      /** admin only, with `confirmation` equal to the target node's name */
      force?: boolean;
      confirmation?: string;
    }
  /** the failover alert was acknowledged on its own (alerts page) */
  | { type: 'acknowledge-failover'; actor: string; reason: string };

/** Fleet-wide facts one pair's decision needs (SPEC rules 10 and 12). */
export interface FleetView {
  /** nodes that belong to a pair */
  pairedNodes: number;
  /** of those, nodes that are Down or missing heartbeats right now */
  suspectNodes: number;
  massFailure: { fraction: number; minNodes: number };
  brake: { engaged: boolean; autoSwitchoversInWindow: number; limit: number; windowMs: number };
}

// ---- effects ----------------------------------------------------------------

export type AlertKind =
  | 'node-down'
  | 'node-unstable'
  | 'pair-outage'
  | 'automatic-failover'
  | 'failback'
  | 'switchover-failed'
  | 'auto-failover-logging'
  | 'mass-failure-guard'
  | 'global-brake'
  | 'manager-only-unreachable'
  | 'split-brain-risk';

export type Severity = 'critical' | 'major' | 'minor' | 'info';

export type EventKind =
  | 'signal'
  | 'decision'
  | 'held'
  | 'command'
  | 'command-result'
  | 'switchover-completed'
  | 'switchover-failed'
  | 'config'
  | 'acknowledgement'
  | 'restart'
  | 'role-report'
  | 'refused';

export type Effect =
  /** persist the new state before performing anything after this */
  | { type: 'persist-state' }
  | {
      type: 'send-command';
      nodeId: string;
      command: CommandName;
      commandId: string;
      epoch: number;
      deadlineAt: number;
      timeoutMs: number;
    }
  | {
      type: 'raise-alert';
      key: string;
      kind: AlertKind;
      severity: Severity;
      nodeId?: string;
      message: string;
      /** true: closes only on acknowledgement (no off event) */
      ackOnly: boolean;
    }
  /** the off event of an alert that has one */
  | { type: 'clear-alert'; key: string; message: string }
  | { type: 'acknowledge-alert'; key: string; actor: string; comment: string }
  | {
      type: 'append-event';
      kind: EventKind;
      /** the explanation, in an operator's words */
      message: string;
      nodeId?: string;
      actor?: string;
      /** the rule or guard that decided */
      rule?: string;
      details?: Record<string, unknown>;
    }
  /** fleet: count toward the global brake */
  | { type: 'auto-switchover-started'; at: number }
  /** fleet: past the limit; hold every automatic action until an admin releases */
  | { type: 'engage-brake'; at: number }
  /** the evaluator must apply the other role's conditions to this node */
  | { type: 'set-role'; nodeId: string; role: 'active' | 'passive' };

export type Outcome = { ok: true; message: string } | { ok: false; code: string; message: string };

export interface Decision {
  state: PairState;
  effects: Effect[];
  /** for operator inputs: accepted or refused, with the reason */
  outcome?: Outcome;
}
