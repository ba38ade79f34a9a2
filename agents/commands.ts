import type { CommandMessage, CommandResultMessage, NodeRole } from '../server/contract/agent-protocol.ts';
import type { AgentConfig, HookConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { type CommandOutcome, runCommand } from './run-command.ts';
import { type AgentState, type RecordedCommand, type StateStore, withCommand } from './state.ts';

/**
 * Commands from the server: prepare (the pre-promote check alone), promote,
 * demote, fence. The decision is pure (decideCommand); the executor persists
 * before it acts: the epoch before the hook runs, the role after it succeeds.
 */

export type CommandDecision =
  | { kind: 'run' }
  /** answered without running anything: a refusal or a replayed result */
  | { kind: 'answer'; result: CommandResultMessage }
  /** this very commandId is running now: its result will follow */
  | { kind: 'in-progress' };

const INTERRUPTED = 'the agent stopped while this command ran; its outcome is unknown (it is not run again)';

function answer(message: CommandMessage, fields: Partial<CommandResultMessage>): CommandResultMessage {
  return {
    type: 'command-result',
    commandId: message.commandId,
    command: message.command,
    epoch: message.epoch,
    ok: false,
    exitCode: null,
    output: '',
    durationMs: 0,
    ...fields,
  };
}

function replay(message: CommandMessage, record: RecordedCommand): CommandResultMessage {
  const recorded = record.result ?? answer(message, { output: INTERRUPTED });
  return { ...recorded, commandId: message.commandId, duplicate: true };
}

/** Pure: what to do with a command, given what the agent remembers and what it is running. */
export function decideCommand(state: AgentState, message: CommandMessage, running: string | null): CommandDecision {
  if (running === message.commandId) return { kind: 'in-progress' };
  const seen = state.commands.find((c) => c.commandId === message.commandId);
  if (seen) return { kind: 'answer', result: replay(message, seen) };
  if (message.epoch < state.epoch) {
    return {
      kind: 'answer',
      result: answer(message, {
        refused: 'stale-epoch',
        output: `refused: epoch ${message.epoch} is older than ${state.epoch}, the highest this agent has seen`,
      }),
    };
  }
  // One promote per epoch, whatever its commandId: a second one is the first one's echo.
  const promoted = state.commands.find((c) => c.command === 'promote' && c.epoch === message.epoch);
  if (message.command === 'promote' && promoted) return { kind: 'answer', result: replay(message, promoted) };
  if (running !== null) {
    return {
      kind: 'answer',
      result: answer(message, { refused: 'busy', output: `refused: command ${running} is still running` }),
    };
  }
  return { kind: 'run' };
}

/** Pure: the role a successful command leaves the node in. */
export function roleAfter(command: CommandMessage['command'], current: NodeRole): NodeRole {
  if (command === 'promote') return 'active';
  // A fenced node must never believe it is active.
  if (command === 'demote' || command === 'fence') return 'passive';
  return current;
}

export class CommandExecutor {
  private running: string | null = null;
  private current: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    private state: AgentState,
    private readonly hooks: AgentConfig['hooks'],
    private readonly log: Logger,
    private readonly env: () => Record<string, string> = () => ({}),
    private readonly now: () => number = Date.now,
  ) {}

  get epoch(): number {
    return this.state.epoch;
  }

  get role(): NodeRole {
    return this.state.role;
  }

  /** Resolves when no command is running (for a clean shutdown). */
  idle(): Promise<unknown> {
    return this.current;
  }

  /** Resolves with the result to send, or null when the result of a running command will follow. */
  async handle(message: CommandMessage): Promise<CommandResultMessage | null> {
    const decision = decideCommand(this.state, message, this.running);
    if (decision.kind === 'in-progress') {
      this.log.info('command re-sent while running; its result will follow', { commandId: message.commandId });
      return null;
    }
    if (decision.kind === 'answer') {
      this.log.info('command answered without running', {
        commandId: message.commandId,
        command: message.command,
        epoch: message.epoch,
        refused: decision.result.refused,
        duplicate: decision.result.duplicate,
      });
      return decision.result;
    }
    this.running = message.commandId;
    const work = this.execute(message);
    this.current = work.catch(() => undefined);
    try {
      return await work;
    } finally {
      this.running = null;
    }
  }

  private async execute(message: CommandMessage): Promise<CommandResultMessage> {
    const started = this.now();
    // Fencing first: from here on nothing older than this epoch is obeyed, even after a crash.
    this.state = withCommand(
      { ...this.state, epoch: Math.max(this.state.epoch, message.epoch) },
      {
        commandId: message.commandId,
        command: message.command,
        epoch: message.epoch,
        status: 'running',
        startedAt: started,
      },
    );
    this.store.save(this.state);
    this.log.info('command started', { commandId: message.commandId, command: message.command, epoch: message.epoch });

    const result = await this.perform(message, started);
    const role = result.ok && !result.refused ? roleAfter(message.command, this.state.role) : this.state.role;
    this.state = withCommand(
      { ...this.state, role },
      {
        commandId: message.commandId,
        command: message.command,
        epoch: message.epoch,
        status: 'done',
        startedAt: started,
        result,
      },
    );
    this.store.save(this.state);
    this.log.info('command finished', {
      commandId: message.commandId,
      command: message.command,
      epoch: message.epoch,
      ok: result.ok,
      exitCode: result.exitCode,
      refused: result.refused,
      role,
    });
    return result;
  }

  private async perform(message: CommandMessage, started: number): Promise<CommandResultMessage> {
    const finish = (outcome: CommandOutcome, fields: Partial<CommandResultMessage> = {}) =>
      answer(message, {
        ok: outcome.exitCode === 0,
        exitCode: outcome.exitCode,
        output: outcome.output,
        durationMs: this.now() - started,
        ...fields,
      });
    const check = this.hooks.prePromoteCheck;

    if (message.command === 'prepare') {
      if (!check) return answer(message, { ok: true, output: 'no pre-promote check configured' });
      return finish(await this.run(check, message, 'prePromoteCheck'));
    }
    if (message.command === 'promote' && check) {
      const outcome = await this.run(check, message, 'prePromoteCheck');
      if (outcome.exitCode !== 0) return finish(outcome, { ok: false, refused: 'pre-promote-check' });
    }
    const hook = this.hooks[message.command];
    if (!hook) {
      return answer(message, {
        refused: 'no-hook',
        output: `refused: no "${message.command}" hook in this agent's config`,
        durationMs: this.now() - started,
      });
    }
    return finish(await this.run(hook, message, message.command));
  }

  private run(hook: HookConfig, message: CommandMessage, which: string): Promise<CommandOutcome> {
    return runCommand(hook.command, {
      // The server's limit and the operator's, whichever is shorter.
      timeoutMs: Math.min(hook.timeoutMs, message.timeoutMs),
      env: {
        ...this.env(),
        SWITCHYARD_HOOK: which,
        SWITCHYARD_COMMAND: message.command,
        SWITCHYARD_COMMAND_ID: message.commandId,
        SWITCHYARD_EPOCH: String(message.epoch),
        SWITCHYARD_PAIR_ID: message.pairId ?? '',
      },
    });
  }
}
