import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { commandName, commandResultMessage, nodeRole } from '../server/contract/agent-protocol.ts';

/**
 * What the agent must not forget across a crash: the highest epoch it has
 * seen (fencing), the role it holds, and the commands it has run (so a
 * re-sent commandId is replayed, never run twice). Written atomically:
 * temp file, fsync, rename, fsync of the folder — after a SIGKILL or a power
 * cut the file is either the old or the new version, never half of one.
 */

const recordedCommand = z.object({
  commandId: z.string(),
  command: commandName,
  epoch: z.number().int().nonnegative(),
  /** `running` survives only when the agent died during the hook */
  status: z.enum(['running', 'done']),
  startedAt: z.number(),
  result: commandResultMessage.optional(),
});
export type RecordedCommand = z.infer<typeof recordedCommand>;

export const agentState = z.object({
  version: z.literal(1),
  epoch: z.number().int().nonnegative(),
  role: nodeRole,
  /** newest last, at most MAX_RECORDED */
  commands: z.array(recordedCommand),
});
export type AgentState = z.infer<typeof agentState>;

export const MAX_RECORDED = 200;
export const STATE_FILE = 'state.json';

export const initialState = (): AgentState => ({ version: 1, epoch: 0, role: 'unknown', commands: [] });

/** Pure: adds or replaces a command record, keeping the newest MAX_RECORDED. */
export function withCommand(state: AgentState, record: RecordedCommand): AgentState {
  const others = state.commands.filter((c) => c.commandId !== record.commandId);
  return { ...state, commands: [...others, record].slice(-MAX_RECORDED) };
}

export class StateFileError extends Error {
  override name = 'StateFileError';
}

export class StateStore {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, STATE_FILE);
  }

  get path(): string {
    return this.file;
  }

  /** A missing file is a first start; an unreadable one stops the agent (forgetting the epoch would unfence it). */
  load(): AgentState {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return initialState();
      throw new StateFileError(`cannot read ${this.file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    let parsed: ReturnType<typeof agentState.safeParse>;
    try {
      parsed = agentState.safeParse(JSON.parse(text));
    } catch {
      parsed = agentState.safeParse(undefined);
    }
    if (!parsed.success) {
      throw new StateFileError(
        `${this.file} is not a valid agent state file; move it away to start fresh (the agent then forgets its epoch and role)`,
      );
    }
    return parsed.data;
  }

  save(state: AgentState): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
    // The rename itself is durable only once the folder is synced.
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
