import { describe, expect, it } from 'vitest';
import { decideCommand, roleAfter } from '../../../agents/commands.ts';
import { type AgentState, initialState, MAX_RECORDED, withCommand } from '../../../agents/state.ts';
import type { CommandMessage, CommandResultMessage } from '../../../server/contract/agent-protocol.ts';

const message = (fields: Partial<CommandMessage> = {}): CommandMessage => ({
  type: 'command',
  commandId: 'c-new',
  command: 'promote',
  epoch: 5,
  timeoutMs: 1000,
  ...fields,
});

const done = (commandId: string, command: CommandMessage['command'], epoch: number): CommandResultMessage => ({
  type: 'command-result',
  commandId,
  command,
  epoch,
  ok: true,
  exitCode: 0,
  output: `${command} done`,
  durationMs: 10,
});

function stateWith(epoch: number, ...records: Parameters<typeof withCommand>[1][]): AgentState {
  return records.reduce(withCommand, { ...initialState(), epoch });
}

describe('decideCommand', () => {
  it('runs a fresh command at the current epoch or a newer one', () => {
    expect(decideCommand(stateWith(5), message({ epoch: 5 }), null)).toEqual({ kind: 'run' });
    expect(decideCommand(stateWith(5), message({ epoch: 9 }), null)).toEqual({ kind: 'run' });
  });

  it('refuses an epoch older than the highest seen', () => {
    const decision = decideCommand(stateWith(5), message({ epoch: 4, command: 'demote' }), null);
    expect(decision).toEqual({
      kind: 'answer',
      result: expect.objectContaining({
        commandId: 'c-new',
        command: 'demote',
        epoch: 4,
        ok: false,
        exitCode: null,
        refused: 'stale-epoch',
        output: 'refused: epoch 4 is older than 5, the highest this agent has seen',
      }),
    });
  });

  it('replays a commandId it has already run, even at an older epoch', () => {
    const state = stateWith(7, {
      commandId: 'c-1',
      command: 'demote',
      epoch: 3,
      status: 'done',
      startedAt: 1,
      result: done('c-1', 'demote', 3),
    });
    expect(decideCommand(state, message({ commandId: 'c-1', command: 'demote', epoch: 3 }), null)).toEqual({
      kind: 'answer',
      result: { ...done('c-1', 'demote', 3), duplicate: true },
    });
  });

  it('never runs a second promote for the same epoch, whatever its commandId', () => {
    const state = stateWith(5, {
      commandId: 'c-first',
      command: 'promote',
      epoch: 5,
      status: 'done',
      startedAt: 1,
      result: done('c-first', 'promote', 5),
    });
    const decision = decideCommand(state, message({ commandId: 'c-second', epoch: 5 }), null);
    expect(decision).toEqual({
      kind: 'answer',
      result: { ...done('c-first', 'promote', 5), commandId: 'c-second', duplicate: true },
    });
    // A demote at that epoch is a different act and runs.
    expect(decideCommand(state, message({ commandId: 'c-d', command: 'demote', epoch: 5 }), null)).toEqual({
      kind: 'run',
    });
  });

  it('answers "outcome unknown" for a command interrupted by a crash, without running it again', () => {
    const state = stateWith(5, { commandId: 'c-1', command: 'fence', epoch: 5, status: 'running', startedAt: 1 });
    const decision = decideCommand(state, message({ commandId: 'c-1', command: 'fence' }), null);
    expect(decision).toMatchObject({
      kind: 'answer',
      result: {
        commandId: 'c-1',
        ok: false,
        exitCode: null,
        duplicate: true,
        output: expect.stringContaining('unknown'),
      },
    });
  });

  it('waits for a commandId that is running now, and refuses others as busy', () => {
    const state = stateWith(5, { commandId: 'c-run', command: 'promote', epoch: 5, status: 'running', startedAt: 1 });
    expect(decideCommand(state, message({ commandId: 'c-run' }), 'c-run')).toEqual({ kind: 'in-progress' });
    expect(decideCommand(state, message({ commandId: 'c-x', command: 'fence' }), 'c-run')).toMatchObject({
      kind: 'answer',
      result: { refused: 'busy', ok: false },
    });
  });
});

describe('roleAfter', () => {
  it.each([
    ['promote', 'passive', 'active'],
    ['demote', 'active', 'passive'],
    ['fence', 'active', 'passive'],
    ['prepare', 'passive', 'passive'],
    ['prepare', 'unknown', 'unknown'],
  ] as const)('%s from %s → %s', (command, from, to) => {
    expect(roleAfter(command, from)).toBe(to);
  });
});

describe('withCommand', () => {
  it('replaces a record with the same commandId and keeps the newest', () => {
    let state = initialState();
    for (let i = 0; i < MAX_RECORDED + 10; i += 1) {
      state = withCommand(state, { commandId: `c-${i}`, command: 'demote', epoch: 1, status: 'done', startedAt: i });
    }
    expect(state.commands).toHaveLength(MAX_RECORDED);
    expect(state.commands[0]?.commandId).toBe('c-10');
    state = withCommand(state, { commandId: 'c-10', command: 'demote', epoch: 1, status: 'done', startedAt: 99 });
    expect(state.commands.filter((c) => c.commandId === 'c-10')).toHaveLength(1);
    expect(state.commands.at(-1)?.commandId).toBe('c-10');
  });
});
