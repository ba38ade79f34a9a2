import { type CommandMessage, type CommandResultMessage, commandMessage } from '../../contract/agent-protocol.ts';
import { type Clock, judgeAfterPendingFrames } from '../../plugins/clock.ts';
import type { AgentSessions } from './agent-sessions.ts';

/**
 * Command delivery to one node with acknowledgement and a deadline: the
 * interface the orchestration (executor) calls. The agent runs a commandId
 * at most once and replays its result, so re-sending after a reconnect is safe.
 */

export type AgentCommand = Omit<CommandMessage, 'type'>;

export type SendOutcome =
  | { status: 'result'; result: CommandResultMessage }
  /** no agent connection for the node when the command was sent */
  | { status: 'not-connected' }
  /** no result by the deadline (or the server is shutting down) */
  | { status: 'deadline' };

interface Pending {
  nodeId: string;
  command: AgentCommand;
  promise: Promise<SendOutcome>;
  resolve: (outcome: SendOutcome) => void;
  timer: NodeJS.Timeout;
}

interface Log {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export class AgentChannel {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly sessions: AgentSessions,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  /**
   * Sends the command now if the node is connected; resolves with its result,
   * `not-connected` at once when no agent is connected (unless `waitForConnection`:
   * then it goes out when the agent says hello), or `deadline`. While
   * waiting, a reconnect of the node gets the same command again (same commandId).
   * Sending a commandId that is still pending returns the same promise.
   */
  send(
    nodeId: string,
    command: AgentCommand,
    options: { deadlineAt: number; waitForConnection?: boolean },
  ): Promise<SendOutcome> {
    // A command the agent's own schema would refuse is our bug: fail loudly here, not silently there.
    const valid = commandMessage.safeParse({ type: 'command', ...command });
    if (!valid.success) {
      return Promise.reject(
        new Error(`invalid command for node ${nodeId}: ${valid.error.issues[0]?.message ?? 'schema'}`),
      );
    }
    const existing = this.pending.get(command.commandId);
    if (existing) return existing.promise;
    const session = this.sessions.get(nodeId);
    // After a server restart agents come back within their backoff: a command may wait for one.
    if (!session && !options.waitForConnection) return Promise.resolve({ status: 'not-connected' });
    const waitMs = options.deadlineAt - this.clock.now();
    if (waitMs <= 0) return Promise.resolve({ status: 'deadline' });

    let resolve: (outcome: SendOutcome) => void = () => {};
    const promise = new Promise<SendOutcome>((r) => {
      resolve = r;
    });
    const timer = setTimeout(() => {
      // a result that arrived while the server stalled is read first
      judgeAfterPendingFrames(this.clock, options.deadlineAt, () => {
        if (!this.pending.has(command.commandId)) return;
        this.settle(command.commandId, { status: 'deadline' });
        this.log.warn({ nodeId, commandId: command.commandId, command: command.command }, 'command deadline passed');
      });
    }, waitMs);
    this.pending.set(command.commandId, { nodeId, command, promise, resolve, timer });
    if (!session) {
      this.log.info({ nodeId, commandId: command.commandId, command: command.command }, 'command waits for the agent');
      return promise;
    }
    this.sessions.send(session, { type: 'command', ...command });
    this.log.info(
      { nodeId, commandId: command.commandId, command: command.command, epoch: command.epoch },
      'command sent',
    );
    return promise;
  }

  /** Called after a node's hello: re-sends what it has not answered yet. */
  resendPending(nodeId: string): void {
    const session = this.sessions.get(nodeId);
    if (!session) return;
    for (const entry of this.pending.values()) {
      if (entry.nodeId !== nodeId) continue;
      this.sessions.send(session, { type: 'command', ...entry.command });
      this.log.info({ nodeId, commandId: entry.command.commandId }, 'command re-sent after reconnect');
    }
  }

  /** Called for every command-result; true when someone was waiting for it. */
  acceptResult(nodeId: string, result: CommandResultMessage): boolean {
    const entry = this.pending.get(result.commandId);
    // A node may only answer its own commands.
    if (!entry || entry.nodeId !== nodeId) return false;
    this.settle(result.commandId, { status: 'result', result });
    return true;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Shutdown: nobody will answer any more. */
  close(): void {
    for (const commandId of [...this.pending.keys()]) this.settle(commandId, { status: 'deadline' });
  }

  private settle(commandId: string, outcome: SendOutcome): void {
    const entry = this.pending.get(commandId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(commandId);
    entry.resolve(outcome);
  }
}
