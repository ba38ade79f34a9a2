import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandExecutor } from '../../../agents/commands.ts';
import type { AgentConfig } from '../../../agents/config.ts';
import { createLogger } from '../../../agents/logger.ts';
import { STATE_FILE, StateStore } from '../../../agents/state.ts';
import type { CommandMessage } from '../../../server/contract/agent-protocol.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const quiet = createLogger('error', () => {});

describe('CommandExecutor with real hooks and a real state folder', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  function executor(hooks: AgentConfig['hooks']) {
    const store = new StateStore(temp.path);
    return { store, executor: new CommandExecutor(store, store.load(), hooks, quiet) };
  }
  const command = (fields: Partial<CommandMessage>): CommandMessage => ({
    type: 'command',
    commandId: `c-${Math.random()}`,
    command: 'promote',
    epoch: 1,
    timeoutMs: 5000,
    ...fields,
  });
  const stateFile = () => join(temp.path, STATE_FILE);

  it('has the new epoch on disk before the hook runs, and the role only after it succeeded', async () => {
    const { store, executor: ex } = executor({
      promote: { command: `cat ${stateFile()}`, timeoutMs: 5000 },
    });
    const result = await ex.handle(command({ commandId: 'p-7', epoch: 7 }));
    // What the hook saw on disk while it ran:
    const seen = JSON.parse(result?.output ?? '{}');
    expect(seen).toMatchObject({ epoch: 7, role: 'unknown', commands: [{ commandId: 'p-7', status: 'running' }] });
    expect(store.load()).toMatchObject({ epoch: 7, role: 'active', commands: [{ commandId: 'p-7', status: 'done' }] });
  });

  it('keeps the role when the hook fails, but still keeps the epoch', async () => {
    const { store, executor: ex } = executor({ demote: { command: 'echo no; exit 4', timeoutMs: 5000 } });
    const result = await ex.handle(command({ command: 'demote', epoch: 2 }));
    expect(result).toMatchObject({ ok: false, exitCode: 4, output: 'no\n' });
    expect(store.load()).toMatchObject({ epoch: 2, role: 'unknown' });
  });

  it('refuses a command without a configured hook', async () => {
    const { executor: ex } = executor({});
    expect(await ex.handle(command({ command: 'fence' }))).toMatchObject({
      ok: false,
      refused: 'no-hook',
      output: 'refused: no "fence" hook in this agent\'s config',
    });
  });

  it('refuses a second command as busy while one runs, and lets a re-send of the running one wait', async () => {
    const { executor: ex } = executor({
      promote: { command: 'sleep 0.3; echo done', timeoutMs: 5000 },
      fence: { command: 'true', timeoutMs: 5000 },
    });
    const running = ex.handle(command({ commandId: 'slow' }));
    expect(await ex.handle(command({ commandId: 'slow' }))).toBeNull();
    expect(await ex.handle(command({ commandId: 'other', command: 'fence' }))).toMatchObject({ refused: 'busy' });
    expect(await running).toMatchObject({ ok: true, output: 'done\n' });
  });

  it('answers "outcome unknown" after a crash in the middle of a hook, without running it again', async () => {
    const ledger = join(temp.path, 'runs');
    const hooks = { fence: { command: `echo run >> ${ledger}; sleep 30`, timeoutMs: 60_000 } };
    // The agent died during the hook: the state says "running" and nothing finished.
    const { store } = executor(hooks);
    store.save({
      version: 1,
      epoch: 3,
      role: 'active',
      commands: [{ commandId: 'f-1', command: 'fence', epoch: 3, status: 'running', startedAt: 1 }],
    });
    const { executor: restarted } = executor(hooks);
    expect(await restarted.handle(command({ commandId: 'f-1', command: 'fence', epoch: 3 }))).toMatchObject({
      ok: false,
      duplicate: true,
      output: expect.stringContaining('outcome is unknown'),
    });
    expect(() => readFileSync(ledger)).toThrow();
  });
});
