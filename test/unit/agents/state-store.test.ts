import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState, STATE_FILE, StateFileError, StateStore } from '../../../agents/state.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('StateStore', () => {
  let temp = makeTempDir();
  afterEach(() => {
    temp.cleanup();
    temp = makeTempDir();
  });

  it('starts from epoch 0 and an unknown role when there is no file, creating the folder', () => {
    const store = new StateStore(join(temp.path, 'state'));
    expect(store.load()).toEqual(initialState());
    expect(statSync(join(temp.path, 'state')).isDirectory()).toBe(true);
  });

  it('writes atomically and reads back what it wrote, leaving no temp file', () => {
    const store = new StateStore(temp.path);
    const state = { ...initialState(), epoch: 12, role: 'active' as const };
    store.save(state);
    expect(new StateStore(temp.path).load()).toEqual(state);
    expect(readdirSync(temp.path)).toEqual([STATE_FILE]);
    expect(statSync(join(temp.path, STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a damaged file instead of forgetting the epoch', () => {
    writeFileSync(join(temp.path, STATE_FILE), '{"version":1,"epo');
    expect(() => new StateStore(temp.path).load()).toThrow(StateFileError);
    expect(() => new StateStore(temp.path).load()).toThrow(/move it away to start fresh/);
    expect(readFileSync(join(temp.path, STATE_FILE), 'utf8')).toBe('{"version":1,"epo');
  });
});
