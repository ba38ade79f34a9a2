import { describe, expect, it } from 'vitest';
import { TokenIndex } from '../../../server/modules/nodes/token-index.ts';

describe('TokenIndex', () => {
  it('finds a node by token hash, and forgets the old hash when the token is replaced', () => {
    const index = new TokenIndex();
    index.set('h1', { id: 'n1', name: 'db-1' });
    expect(index.get('h1')).toEqual({ id: 'n1', name: 'db-1' });
    index.set('h2', { id: 'n1', name: 'db-1' });
    expect(index.get('h1')).toBeUndefined();
    expect(index.get('h2')).toEqual({ id: 'n1', name: 'db-1' });
    expect(index.size).toBe(1);
  });

  it('forgets a removed node and bumps the generation even when it knew nothing of it', () => {
    const index = new TokenIndex();
    index.set('h1', { id: 'n1', name: 'db-1' });
    const before = index.generation;
    index.remove('n1');
    expect(index.get('h1')).toBeUndefined();
    index.remove('never-seen');
    expect(index.generation).toBe(before + 2);
  });
});
