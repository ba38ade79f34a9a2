import type { CommandName } from '../../contract/agent-protocol.ts';
import type { ThresholdProfile } from '../../contract/thresholds.ts';
import type { BrakeConfig, MassFailureConfig } from '../fleet/brake.ts';
import type { FailbackPolicy, ManagerInput } from '../ha/types.ts';

/**
 * A scenario: pairs, how each node's agent behaves, and what happens when.
 * Times are milliseconds on the simulator's virtual clock, which starts at
 * `startAt` (default 0).
 */
export interface Scenario {
  profile: ThresholdProfile;
  pairs: ScenarioPair[];
  /** per node; nodes not listed beat healthy every `defaultBeatEveryMs` */
  nodes?: Record<string, ScenarioNode>;
  events?: ScenarioEvent[];
  /** the simulation stops after this instant */
  until: number;
  startAt?: number;
  /** agents' beat period when a node does not say (default: a fifth of the shortest interval) */
  defaultBeatEveryMs?: number;
  /** evaluate deadlines only on multiples of this (a tick-based driver); default exact timers */
  tickMs?: number;
  brake?: BrakeConfig;
  massFailure?: MassFailureConfig;
  /** agents reconnect this long after a server restart (default 500 ms) */
  reconnectDelayMs?: number;
}

export interface ScenarioPair {
  id: string;
  name?: string;
  /** in order: primary first */
  members: { id: string; name?: string; weight: number }[];
  /** the active node at start (default: the preferred member) */
  active?: string;
  autoFailover?: boolean;
  maintenance?: boolean;
  failbackPolicy?: FailbackPolicy;
  commandTimeoutMs?: number;
}

export type CommandBehaviour =
  | { result: 'ok'; latencyMs?: number; output?: string }
  | { result: 'fail'; latencyMs?: number; exitCode?: number; output?: string }
  /** prepare/promote refused by the pre-promote check hook */
  | { result: 'refuse-check'; latencyMs?: number; output?: string }
  /** the agent never answers */
  | { result: 'hang' };

export interface ScenarioNode {
  beatEveryMs?: number;
  /** beats begin at this instant (default: start) */
  firstBeatAt?: number;
  /** starting health (default healthy) */
  beats?: 'healthy' | 'unhealthy' | 'stopped';
  /** the WebSocket is open (default true); a stopped agent process is also disconnected */
  connected?: boolean;
  commands?: Partial<Record<CommandName, CommandBehaviour>>;
  /** the role the agent believes it holds at start (default: from the pair's active) */
  role?: 'active' | 'passive';
  epoch?: number;
}

export type OperatorInput = Extract<
  ManagerInput,
  { type: 'set-auto-failover' | 'set-maintenance' | 'switchover' | 'acknowledge-failover' }
>;

export type ScenarioEvent =
  /** the node's agent beats healthy, unhealthy, or stops beating (the process still runs) */
  | { at: number; node: string; beats: 'healthy' | 'unhealthy' | 'stopped' }
  /** the agent's process dies (no beats, no connection) or starts again */
  | { at: number; node: string; agent: 'killed' | 'started' }
  /** the link between agent and manager drops or returns (the agent keeps running and probing) */
  | { at: number; node: string; link: 'down' | 'up' }
  /** from now on, this node's agent reports what it sees of another node */
  | { at: number; node: string; peer: { about: string; healthy: boolean; detail?: string } | null }
  | { at: number; node: string; command: CommandName; behaviour: CommandBehaviour }
  | { at: number; pair: string; operator: OperatorInput }
  | { at: number; drill: { pair: string; node: string } }
  | { at: number; server: 'restart' }
  | { at: number; fleet: 'release-brake' };
