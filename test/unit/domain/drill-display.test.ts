import { describe, expect, it } from 'vitest';
import { brakeView, createBrake, DEFAULT_MASS_FAILURE } from '../../../server/domain/fleet/brake.ts';
import { displayState } from '../../../server/domain/ha/display.ts';
import { drill } from '../../../server/domain/ha/drill.ts';
import { createPairState, freshView } from '../../../server/domain/ha/pair.ts';
import type { FleetView, MemberView, PairState } from '../../../server/domain/ha/types.ts';
import { run, S } from '../../helpers/scenarios.ts';
import { commands } from '../../helpers/timeline.ts';

const fleet: FleetView = {
  pairedNodes: 2,
  suspectNodes: 0,
  massFailure: DEFAULT_MASS_FAILURE,
  brake: brakeView(createBrake(), 0),
};

const up = (since: number): Partial<MemberView> => ({ verdict: 'up', stable: true, upSince: since, connected: true });

function pair(views: Record<string, Partial<MemberView>>, patch: Partial<PairState> = {}): PairState {
  const s = createPairState({
    pairId: 'p1',
    name: 'orders-db',
    members: [
      { nodeId: 'a', name: 'db-1', weight: 51 },
      { nodeId: 'b', name: 'db-2', weight: 49 },
    ],
  });
  for (const [id, v] of Object.entries(views)) s.views[id] = { ...freshView(), ...v };
  return { ...s, autoFailover: true, ...patch };
}

describe('drill: "what would happen if node X failed now?"', () => {
  it('answers with the decision and its explanation, and changes nothing', () => {
    const state = pair({ a: up(0), b: up(1000) });
    const before = structuredClone(state);
    const result = drill(state, 'a', 60 * S, fleet);
    expect(result.summary).toBe('failover to db-2 would start at once (epoch 1)');
    expect(result.explanation).toContain(
      'failover db-1 → db-2: active node db-1 is Down (drill: db-1 fails at 00:01:00); node db-2 is Up and stable since 00:00:01; auto-failover on (rule 2); auto-failover is now off until an operator re-enables it; epoch 0 → 1',
    );
    expect(result.effects.some((e) => e.type === 'send-command')).toBe(true);
    expect(result.displayAfter).toEqual({ state: 'switching', kind: 'failover' });
    expect(state).toEqual(before);
  });

  it('says why nothing would move when the passive is unstable', () => {
    const state = pair({
      a: up(0),
      b: { ...up(0), stable: false, unstableSince: 50 * S, lastDownHeartbeatAt: 55 * S },
    });
    expect(drill(state, 'a', 60 * S, fleet).summary).toBe(
      'no switchover: no failover: no Up and stable passive node (node db-2 unstable since 00:00:50, DownHeartbeat at 00:00:55); active node db-1 is Down (drill: db-1 fails at 00:01:00)',
    );
  });

  it('for the passive: the active stays, the pair would be degraded', () => {
    expect(drill(pair({ a: up(0), b: up(0) }), 'b', 60 * S, fleet).summary).toBe(
      'no switchover: db-1 stays active; the pair would be degraded',
    );
  });

  it('refuses a node that is not a member', () => {
    expect(() => drill(pair({ a: up(0), b: up(0) }), 'zz', 0, fleet)).toThrow(
      'node zz is not a member of pair orders-db',
    );
  });

  it('in a simulation, a drill sends nothing', () => {
    const r = run({ events: [{ at: 10 * S, drill: { pair: 'p1', node: 'db-1' } }] });
    const entry = r.timeline.find((e) => e.type === 'drill');
    expect(entry?.type === 'drill' && entry.result.summary).toBe('failover to db-2 would start at once (epoch 1)');
    expect(commands(r)).toEqual([]);
    expect(r.pairs.p1).toMatchObject({ epoch: 0, activeNodeId: 'db-1' });
  });
});

describe('display states (SPEC §3)', () => {
  it.each<[string, PairState, string]>([
    ['both Up and stable, preferred active', pair({ a: up(0), b: up(0) }), 'normal'],
    ['passive unstable', pair({ a: up(0), b: { ...up(0), stable: false } }), 'degraded'],
    ['passive Down', pair({ a: up(0), b: { verdict: 'down' } }), 'degraded'],
    ['active Down', pair({ a: { verdict: 'down' }, b: up(0) }), 'outage'],
    ['no active node', pair({ a: up(0), b: up(0) }, { activeNodeId: null }), 'outage'],
    ['waiting for a first verdict', pair({ a: up(0) }), 'linking'],
    [
      'non-preferred active, auto-failover off',
      pair({ a: { verdict: 'down' }, b: up(0) }, { activeNodeId: 'b', autoFailover: false }),
      'failed-over',
    ],
    ['maintenance wins', pair({ a: { verdict: 'down' }, b: up(0) }, { maintenance: true }), 'maintenance'],
  ])('%s → %s', (_name, state, expected) => {
    expect(displayState(state).state).toBe(expected);
  });

  it('switching carries its kind', () => {
    const r = run({ events: [{ at: 10_100, node: 'db-1', agent: 'killed' }], until: 13_005 });
    expect(r.pairs.p1 && displayState(r.pairs.p1)).toEqual({ state: 'switching', kind: 'failover' });
  });
});
