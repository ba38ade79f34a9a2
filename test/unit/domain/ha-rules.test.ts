import { describe, expect, it } from 'vitest';
import { defaultThresholdProfile } from '../../../server/contract/thresholds.ts';
import { brakeView, createBrake, DEFAULT_MASS_FAILURE } from '../../../server/domain/fleet/brake.ts';
import { displayState } from '../../../server/domain/ha/display.ts';
import { decide } from '../../../server/domain/ha/manager.ts';
import type { FleetView, PairState } from '../../../server/domain/ha/types.ts';
import { simulate } from '../../../server/domain/simulator/simulator.ts';

const quietFleet: FleetView = {
  pairedNodes: 2,
  suspectNodes: 0,
  massFailure: DEFAULT_MASS_FAILURE,
  brake: brakeView(createBrake(), 0),
};

import { pairOf, run, S } from '../../helpers/scenarios.ts';
import { commands, effects, eventTexts, outcomes, signals, switchoversStarted } from '../../helpers/timeline.ts';

// db-1 (51) is active, db-2 (49) passive; both Up at 3 s; killing db-1 at 10.1 s leaves
// its last healthy beat at 10.0 s, so Down is due at 13.0 s with 3 × 1 s.
const KILL = { at: 10_100, node: 'db-1', agent: 'killed' } as const;

describe('SPEC §2 with the seed defaults', () => {
  it('a primary that stops is Down after 5 × 10 s = 50 s, and the switchover is decided at that instant', () => {
    const r = simulate({
      profile: defaultThresholdProfile(),
      pairs: [pairOf()],
      defaultBeatEveryMs: 2 * S,
      events: [{ at: 119 * S, node: 'db-1', agent: 'killed' }],
      until: 300 * S,
    });
    const lastBeat = 118 * S;
    expect(signals(r, 'db-1', 'Down').map((s) => s.at)).toEqual([lastBeat + 50 * S]);
    const started = switchoversStarted(r);
    expect(started).toHaveLength(1);
    expect(started[0]?.at).toBe(lastBeat + 50 * S);
    expect(started[0]?.intent).toMatchObject({ kind: 'failover', from: 'db-1', to: 'db-2', epoch: 1 });
    expect(r.promotions).toEqual([expect.objectContaining({ nodeId: 'db-2', epoch: 1 })]);
  });
});

describe('SPEC §3 HA manager rules', () => {
  it('rule 1: auto-failover is off for a new pair, so a Down active does not move', () => {
    const r = run({ pairs: [pairOf('p1', { autoFailover: undefined })], events: [KILL] });
    expect(switchoversStarted(r)).toEqual([]);
    expect(r.promotions).toEqual([]);
    expect(eventTexts(r)).toContain(
      'no failover: auto-failover is off; active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))',
    );
    expect(r.alerts['pair-outage:p1']).toMatchObject({ open: true, kind: 'pair-outage' });
    expect(displayState(r.pairs.p1 as never)).toEqual({ state: 'outage' });
  });

  it('rule 2: failover to the Up and stable passive, then auto-failover off and an alert that closes only on ack', () => {
    const r = run({ events: [KILL] });
    const [started] = switchoversStarted(r);
    expect(started?.at).toBe(13 * S);
    expect(started?.intent).toMatchObject({ kind: 'failover', to: 'db-2', epoch: 1 });
    expect(eventTexts(r)).toContain(
      'failover db-1 → db-2: active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s)); node db-2 is Up and stable since 00:00:03; auto-failover on (rule 2); auto-failover is now off until an operator re-enables it; epoch 0 → 1',
    );
    expect(r.promotions).toEqual([
      { at: expect.any(Number), pairId: 'p1', nodeId: 'db-2', epoch: 1, commandId: 'p1:1:promote' },
    ]);
    const p1 = r.pairs.p1;
    expect(p1).toMatchObject({ activeNodeId: 'db-2', autoFailover: false, epoch: 1, switchover: null });
    expect(r.alerts['automatic-failover:p1:1']).toMatchObject({ kind: 'automatic-failover', open: true });
    const raised = effects(r).find((e) => e.type === 'raise-alert' && e.kind === 'automatic-failover');
    expect(raised).toMatchObject({ ackOnly: true });
    expect(p1 && displayState(p1)).toEqual({ state: 'failed-over' });
  });

  it('rule 3: no Up passive means outage and a critical alert, no switchover; failover once the passive earns Up', () => {
    const r = run({
      events: [{ at: 5 * S, node: 'db-2', agent: 'killed' }, KILL, { at: 20 * S, node: 'db-2', agent: 'started' }],
    });
    const held = eventTexts(r).find((t) => t.startsWith('no failover: no Up and stable passive node'));
    expect(held).toBe(
      'no failover: no Up and stable passive node (node db-2 is Down since 00:00:07.800); active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))',
    );
    expect(r.alerts['pair-outage:p1']).toMatchObject({ kind: 'pair-outage', open: false });
    const outage = effects(r).find((e) => e.type === 'raise-alert' && e.kind === 'pair-outage');
    expect(outage).toMatchObject({ severity: 'critical', at: 13 * S });
    // db-2 restarts at 20 s and earns Up at 23 s: the failover happens then, not before
    expect(switchoversStarted(r).map((s) => [s.at, s.intent?.to])).toEqual([[23 * S, 'db-2']]);
  });

  it('rule 3 and rule 14: an unstable passive is not a target, and the explanation says since when', () => {
    const r = run({
      events: [
        // one unhealthy beat at 12.0 s: unstable, and Up again only 3 s after the next healthy beat
        { at: 11_950, node: 'db-2', beats: 'unhealthy' },
        { at: 12_150, node: 'db-2', beats: 'healthy' },
        KILL,
      ],
    });
    expect(eventTexts(r)).toContain(
      'no failover: no Up and stable passive node (node db-2 unstable since 00:00:12, DownHeartbeat at 00:00:12); active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))',
    );
    expect(switchoversStarted(r).map((s) => s.at)).toEqual([15_200]);
  });

  it('rule 4: re-enabling auto-failover (acknowledging the failover with a reason) fails back to the preferred node', () => {
    const r = run({
      events: [
        KILL,
        { at: 20 * S, node: 'db-1', agent: 'started' },
        {
          at: 30 * S,
          pair: 'p1',
          operator: { type: 'set-auto-failover', enabled: true, actor: 'alice', ackReason: 'disk replaced on db-1' },
        },
      ],
    });
    const started = switchoversStarted(r);
    expect(started.map((s) => [s.at, s.intent?.kind, s.intent?.to])).toEqual([
      [13 * S, 'failover', 'db-2'],
      [30 * S, 'failback', 'db-1'],
    ]);
    expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-1', autoFailover: true, epoch: 2 });
    expect(r.alerts['automatic-failover:p1:1']).toMatchObject({ acknowledged: true, open: false });
    expect(eventTexts(r)).toContain('automatic failover of 00:00:13.020 acknowledged by alice: disk replaced on db-1');
    expect(r.promotions.map((p) => [p.nodeId, p.epoch])).toEqual([
      ['db-2', 1],
      ['db-1', 2],
    ]);
  });

  it('re-enabling after an automatic failover is refused until its alert is acknowledged with a reason', () => {
    const r = run({
      events: [
        KILL,
        { at: 20 * S, node: 'db-1', agent: 'started' },
        { at: 30 * S, pair: 'p1', operator: { type: 'set-auto-failover', enabled: true, actor: 'bob' } },
        {
          at: 31 * S,
          pair: 'p1',
          operator: { type: 'set-auto-failover', enabled: true, actor: 'bob', ackReason: '  ' },
        },
        { at: 32 * S, pair: 'p1', operator: { type: 'acknowledge-failover', actor: 'bob', reason: 'checked' } },
        { at: 33 * S, pair: 'p1', operator: { type: 'set-auto-failover', enabled: true, actor: 'bob' } },
      ],
    });
    const answers = outcomes(r).map((o) => [o.at, o.outcome.ok]);
    expect(answers).toEqual([
      [30 * S, false],
      [31 * S, false],
      [32 * S, true],
      [33 * S, true],
    ]);
    expect(outcomes(r)[0]?.outcome).toEqual({
      ok: false,
      code: 'FAILOVER_NOT_ACKNOWLEDGED',
      message: 'acknowledge the automatic failover of 00:00:13.020 first, with a reason',
    });
    expect(switchoversStarted(r).map((s) => [s.at, s.intent?.kind])).toEqual([
      [13 * S, 'failover'],
      [33 * S, 'failback'],
    ]);
  });

  describe('rule 5: manual switchover', () => {
    const switchTo = (at: number, patch: Record<string, unknown> = {}) => ({
      at,
      pair: 'p1',
      operator: { type: 'switchover' as const, to: 'db-2', actor: 'carol', actorRole: 'operator' as const, ...patch },
    });

    it('to an Up node is carried out; to the non-preferred node it turns auto-failover off and says so', () => {
      const r = run({ events: [switchTo(10 * S)] });
      expect(outcomes(r)[0]?.outcome).toEqual({
        ok: true,
        message:
          'manual switchover db-1 → db-2 requested by carol; auto-failover turned off: db-2 is not the preferred node, and failback would otherwise undo this at once',
      });
      expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-2', autoFailover: false, epoch: 1 });
      expect(commands(r).map((c) => [c.command, c.nodeId])).toEqual([
        ['prepare', 'db-2'],
        ['demote', 'db-1'],
        ['promote', 'db-2'],
      ]);
    });

    it('back to the preferred node leaves auto-failover as it was', () => {
      const r = run({
        pairs: [pairOf('p1', { active: 'db-2' })],
        events: [{ ...switchTo(10 * S), operator: { ...switchTo(0).operator, to: 'db-1' } }],
      });
      expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-1', autoFailover: true });
    });

    it('to a node that is not Up is refused, unless an admin forces it by typing its name', () => {
      const r = run({
        events: [
          { at: 5 * S, node: 'db-2', agent: 'killed' },
          { at: 10 * S, node: 'db-2', agent: 'started' },
          switchTo(11 * S),
          switchTo(11_100, { force: true, actorRole: 'operator', confirmation: 'db-2' }),
          switchTo(11_200, { force: true, actorRole: 'admin', confirmation: 'db2' }),
          switchTo(11_300, { force: true, actorRole: 'admin', confirmation: 'db-2' }),
        ],
      });
      expect(outcomes(r).map((o) => (o.outcome.ok ? 'ok' : o.outcome.code))).toEqual([
        'TARGET_NOT_UP',
        'FORCE_NEEDS_ADMIN',
        'CONFIRMATION_MISMATCH',
        'ok',
      ]);
      expect(outcomes(r)[0]?.outcome.message).toBe(
        'node db-2 is Down since 00:00:07.800; only an admin can force a switchover to it, by typing its name',
      );
      expect(outcomes(r)[3]?.outcome.message).toContain(
        '(forced by admin carol: node db-2 is Down since 00:00:07.800)',
      );
      expect(r.pairs.p1?.activeNodeId).toBe('db-2');
    });

    it('is refused to a viewer, to the active node, to a stranger, and while another switchover runs', () => {
      const r = run({
        nodes: { 'db-2': { commands: { promote: { result: 'ok', latencyMs: 2 * S } } } },
        events: [
          switchTo(10 * S, { actorRole: 'viewer' }),
          switchTo(10_100, { to: 'db-1' }),
          switchTo(10_200, { to: 'db-9' }),
          switchTo(10_300),
          switchTo(10_400),
        ],
      });
      expect(outcomes(r).map((o) => (o.outcome.ok ? 'ok' : o.outcome.code))).toEqual([
        'FORBIDDEN',
        'ALREADY_ACTIVE',
        'NOT_A_MEMBER',
        'ok',
        'SWITCHOVER_IN_PROGRESS',
      ]);
    });
  });

  it('rule 6: maintenance blocks failover while signals are still evaluated; leaving it fails over', () => {
    const r = run({
      events: [
        { at: 5 * S, pair: 'p1', operator: { type: 'set-maintenance', enabled: true, actor: 'dave' } },
        KILL,
        { at: 20 * S, pair: 'p1', operator: { type: 'set-maintenance', enabled: false, actor: 'dave' } },
      ],
    });
    expect(signals(r, 'db-1', 'Down').map((s) => s.at)).toEqual([13 * S]);
    expect(eventTexts(r)).toContain(
      'no failover: the pair is in maintenance; active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))',
    );
    expect(r.alerts['node-down:db-1']).toBeUndefined();
    expect(switchoversStarted(r).map((s) => s.at)).toEqual([20 * S]);
  });

  it('rule 7: the epoch is raised and persisted before any command is sent', () => {
    const r = run({ events: [KILL] });
    const start = switchoversStarted(r)[0]?.decision;
    expect(start?.effects[0]).toEqual({ type: 'persist-state' });
    expect(start?.after.epoch).toBe(1);
    expect(start?.effects.filter((e) => e.type === 'send-command')).toEqual([
      expect.objectContaining({ command: 'prepare', nodeId: 'db-2', epoch: 1 }),
    ]);
  });

  it('rule 7: a missed deadline is a failed switchover, with an alert and a consistent pair', () => {
    const r = run({ nodes: { 'db-2': { commands: { promote: { result: 'hang' } } } }, events: [KILL] });
    expect(eventTexts(r)).toContain(
      'failover to db-2 failed at promote: promote on db-2: no result within 5 s; db-1 was not reachable; no node is known to be active: switch over manually; auto-failover is off until an operator re-enables it',
    );
    expect(r.alerts['switchover-failed:p1:1']).toMatchObject({ kind: 'switchover-failed', open: true });
    expect(r.pairs.p1).toMatchObject({ activeNodeId: null, switchover: null, autoFailover: false, epoch: 1 });
    expect(switchoversStarted(r)).toHaveLength(1);
  });

  it('rule 7: a promote whose answer is lost but whose node reports the active role at the new epoch completes', () => {
    // the promote's answer takes 6 s against a 5 s deadline; db-2's heartbeats already say active at epoch 1
    const r = run({ nodes: { 'db-2': { commands: { promote: { result: 'ok', latencyMs: 6 * S } } } }, events: [KILL] });
    expect(eventTexts(r)).toContain(
      'promote of db-2 gave no answer (no result within 5 s), but its agent reports the active role at epoch 1: the promote took effect',
    );
    expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-2', epoch: 1, switchover: null });
    expect(r.alerts['switchover-failed:p1:1']).toBeUndefined();
    expect(commands(r, 'demote').filter((c) => c.nodeId === 'db-2')).toEqual([]);
  });

  it('rule 7: a late promote reported after the switchover was failed is recorded, not undone', () => {
    // the promote hangs (no answer, no role change) until an operator's fix; then db-2 reports active at epoch 1
    const r = run({
      nodes: { 'db-2': { commands: { promote: { result: 'hang' } } } },
      events: [KILL, { at: 20 * S, node: 'db-2', link: 'down' }],
    });
    expect(r.pairs.p1).toMatchObject({ activeNodeId: null });
    const adopted = decide(
      r.pairs.p1 as PairState,
      { type: 'node-report', nodeId: 'db-2', connected: true, role: 'active', epoch: 1 },
      30 * S,
      quietFleet,
    );
    expect(adopted.state.activeNodeId).toBe('db-2');
    expect(adopted.effects).toContainEqual(
      expect.objectContaining({ type: 'set-role', nodeId: 'db-2', role: 'active' }),
    );
    expect(adopted.effects.some((e) => e.type === 'send-command')).toBe(false);
  });

  it('rule 8: a recovered old active claiming the active role is demoted at once', () => {
    const r = run({ events: [KILL, { at: 20 * S, node: 'db-1', agent: 'started' }] });
    const demote = commands(r, 'demote').find((c) => c.nodeId === 'db-1');
    expect(demote).toMatchObject({ at: 20 * S, epoch: 1 });
    expect(eventTexts(r)).toContain(
      'db-1 reports the active role at epoch 0, but db-2 is active at epoch 1: demote sent to db-1',
    );
    expect(r.agents['db-1']).toEqual({ role: 'passive', epoch: 1 });
    // both agents active for at most one command round trip (10 ms in the simulator)
    const db1ActiveUntil = r.timeline.find(
      (e) => e.type === 'agent' && e.nodeId === 'db-1' && e.what.startsWith('demote ok'),
    );
    expect(db1ActiveUntil?.at).toBe(20 * S);
  });

  it('rule 9: after a restart nothing automatic happens until every member has a verdict again', () => {
    const r = run({
      events: [
        { at: 10 * S, server: 'restart' },
        { at: 10_050, node: 'db-1', agent: 'killed' },
      ],
    });
    expect(eventTexts(r)).toContain('server restarted: no automatic action until every member has a verdict again');
    // db-1 never reconnects: Down 3 s after the restart. db-2 reconnects at 10.5 s, beats
    // from 10.6 s and earns Up at 13.6 s: the failover waits for that verdict.
    expect(signals(r, 'db-1', 'Down').map((s) => s.at)).toEqual([13 * S]);
    expect(eventTexts(r).some((t) => t.startsWith('no failover: waiting for a verdict on db-2'))).toBe(true);
    expect(switchoversStarted(r).map((s) => s.at)).toEqual([13_600]);
  });

  it('rule 9: a switchover interrupted by a restart resumes from its recorded step, never promoting twice', () => {
    // the promote runs on db-2 but its answer takes 3 s: the server restarts in between
    const r = run({
      nodes: { 'db-2': { commands: { promote: { result: 'ok', latencyMs: 3 * S } } } },
      events: [KILL, { at: 14 * S, server: 'restart' }],
    });
    expect(eventTexts(r)).toContain(
      'server restarted during failover to db-2 at step promote: re-sending promote with the same command id (the agent runs it at most once)',
    );
    expect(r.promotions).toEqual([{ at: 13_010, pairId: 'p1', nodeId: 'db-2', epoch: 1, commandId: 'p1:1:promote' }]);
    expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-2', epoch: 1, switchover: null });
    expect(commands(r, 'promote').map((c) => c.commandId)).toEqual(['p1:1:promote', 'p1:1:promote']);
  });

  it('rule 10: when most paired nodes go silent at once, failovers are held and one alert is raised', () => {
    const pairs = ['p1', 'p2', 'p3'].map((id) => pairOf(id));
    const linkDown = pairs.flatMap((p) => p.members.map((m) => ({ at: 10_100, node: m.id, link: 'down' as const })));
    const r = run({ pairs, events: linkDown });
    expect(switchoversStarted(r)).toEqual([]);
    expect(Object.keys(r.alerts).filter((k) => k.startsWith('mass-failure'))).toEqual(['mass-failure-guard']);
    expect(r.alerts['mass-failure-guard']).toMatchObject({ open: true, kind: 'mass-failure-guard' });
    expect(eventTexts(r, 'p1')).toContain(
      "no failover: 6 of 6 paired nodes are silent or Down at once, which points at the manager's own network; active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))",
    );
    // one alert for the fleet, not an outage alert per pair
    expect(Object.keys(r.alerts).filter((k) => k.startsWith('pair-outage'))).toEqual([]);
  });

  it('rule 10: only the actives falling silent at once is a mass failure too', () => {
    const pairs = ['p1', 'p2', 'p3', 'p4'].map((id) => pairOf(id));
    const actives = pairs.map((p) => ({ at: 10_100, node: p.members[0]?.id ?? '', link: 'down' as const }));
    const brake = { limit: 10, windowMs: 600 * S };
    const r = run({ pairs, events: actives, brake });
    // 4 of 8 nodes silent is not "most": they fail over
    expect(switchoversStarted(r)).toHaveLength(4);
    const five = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => pairOf(id));
    const fiveDown = [
      ...five.map((p) => ({ at: 10_100, node: p.members[0]?.id ?? '', link: 'down' as const })),
      { at: 10_100, node: 'p5-db-2', link: 'down' as const },
    ];
    const held = run({ pairs: five, events: fiveDown, brake });
    expect(switchoversStarted(held)).toEqual([]);
    expect(eventTexts(held).find((t) => t.includes('paired nodes are silent'))).toBe(
      "no failover: 6 of 10 paired nodes are silent or Down at once, which points at the manager's own network; active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))",
    );
  });

  it('rule 11: the passive still sees the active healthy → held as "unreachable from the manager only"; corroborated Down proceeds', () => {
    const r = run({
      events: [
        { at: 5 * S, node: 'db-2', peer: { about: 'db-1', healthy: true, detail: 'postgres answers on 5432' } },
        { at: 10_100, node: 'db-1', link: 'down' },
        { at: 20 * S, node: 'db-2', peer: { about: 'db-1', healthy: false, detail: 'postgres refused' } },
      ],
    });
    expect(eventTexts(r)).toContain(
      "no failover: node db-2 still sees db-1's service healthy (reported 00:00:13: postgres answers on 5432) while the manager hears nothing from it: active unreachable from the manager only; active node db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:10 (3 × 1 s))",
    );
    expect(r.alerts['manager-only-unreachable:p1']).toMatchObject({ kind: 'manager-only-unreachable' });
    expect(switchoversStarted(r).map((s) => s.at)).toEqual([20 * S]);
  });

  it('rule 12: past K automatic switchovers in the window the global brake holds the rest until an admin releases it', () => {
    const pairs = ['p1', 'p2', 'p3', 'p4'].map((id) => pairOf(id));
    const kills = pairs.map((p, i) => ({
      at: 10_100 + i * 5 * S,
      node: p.members[0]?.id ?? '',
      agent: 'killed' as const,
    }));
    const r = run({ pairs, events: [...kills, { at: 40 * S, fleet: 'release-brake' }], until: 60 * S });
    expect(switchoversStarted(r).map((s) => [s.at, s.decision.pairId])).toEqual([
      [13 * S, 'p1'],
      [18 * S, 'p2'],
      [23 * S, 'p3'],
      [40 * S, 'p4'],
    ]);
    expect(r.alerts['global-brake']).toMatchObject({ kind: 'global-brake', count: 1 });
    expect(eventTexts(r, 'p4')).toContain(
      'no failover: the global brake engages: 3 automatic switchovers already in the last 10 min (limit 3); automatic actions wait until an admin releases it; active node p4-db-1 is Down (ActiveDown: no healthy heartbeat since 00:00:25 (3 × 1 s))',
    );
  });

  describe('rule 13: failback policies', () => {
    const reenable = {
      at: 30 * S,
      pair: 'p1',
      operator: { type: 'set-auto-failover' as const, enabled: true, actor: 'erin', ackReason: 'fixed' },
    };

    it('after-healthy-streak waits until the preferred node has been Up and stable for the streak', () => {
      const r = run({
        pairs: [pairOf('p1', { failbackPolicy: { kind: 'after-healthy-streak', streakMs: 10 * S } })],
        events: [KILL, { at: 20 * S, node: 'db-1', agent: 'started' }, reenable],
        until: 60 * S,
      });
      // db-1 earned Up at 23 s (after rule 8's demote): failback at 33 s, not at 30 s
      expect(switchoversStarted(r).map((s) => [s.at, s.intent?.kind])).toEqual([
        [13 * S, 'failover'],
        [33 * S, 'failback'],
      ]);
      expect(eventTexts(r)).toContain(
        'failback to db-1 waits for it to stay Up and stable until 00:00:33 (policy after-healthy-streak, Up since 00:00:23)',
      );
    });

    it('after-healthy-streak never fails back to a node that flapped within the streak', () => {
      const r = run({
        pairs: [pairOf('p1', { failbackPolicy: { kind: 'after-healthy-streak', streakMs: 10 * S } })],
        events: [
          KILL,
          { at: 20 * S, node: 'db-1', agent: 'started' },
          reenable,
          { at: 31 * S, node: 'db-1', beats: 'unhealthy' },
          { at: 31_100, node: 'db-1', beats: 'healthy' },
        ],
      });
      // the DownHeartbeat at 31 s restarts the streak: Up again at 34.2 s, failback at 44.2 s
      expect(switchoversStarted(r).map((s) => [s.at, s.intent?.kind])).toEqual([
        [13 * S, 'failover'],
        [44_200, 'failback'],
      ]);
    });

    it('manual never fails back by itself', () => {
      const r = run({
        pairs: [pairOf('p1', { failbackPolicy: { kind: 'manual' } })],
        events: [KILL, { at: 20 * S, node: 'db-1', agent: 'started' }, reenable],
      });
      expect(switchoversStarted(r).map((s) => s.intent?.kind)).toEqual(['failover']);
      expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-2', autoFailover: true });
    });
  });

  it('rule 15: a failing pre-promote check aborts the switchover cleanly, its output in the event', () => {
    const r = run({
      nodes: { 'db-2': { commands: { prepare: { result: 'refuse-check', output: 'replication lag 42 s > 5 s' } } } },
      events: [
        { at: 10 * S, pair: 'p1', operator: { type: 'switchover', to: 'db-2', actor: 'fay', actorRole: 'operator' } },
      ],
    });
    expect(eventTexts(r)).toContain(
      'manual to db-2 failed at prepare: prepare on db-2: refused (pre-promote-check): replication lag 42 s > 5 s; nothing was promoted; db-1 keeps the active role',
    );
    expect(commands(r).map((c) => c.command)).toEqual(['prepare']);
    expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-1', switchover: null });
    expect(r.agents['db-1']?.role).toBe('active');
  });

  it('a demote that fails on a reachable old active stops the switchover: no promote is sent', () => {
    const r = run({
      nodes: { 'db-1': { commands: { demote: { result: 'fail', output: 'ip addr del: permission denied' } } } },
      events: [
        { at: 10 * S, pair: 'p1', operator: { type: 'switchover', to: 'db-2', actor: 'gus', actorRole: 'operator' } },
      ],
    });
    expect(commands(r).map((c) => c.command)).toEqual(['prepare', 'demote']);
    expect(r.pairs.p1).toMatchObject({ activeNodeId: 'db-1', switchover: null });
    expect(r.alerts['switchover-failed:p1:1']?.message).toContain('ip addr del: permission denied');
  });
});

describe('weights generalise beyond two members', () => {
  it('the preferred node is the highest weight, wherever it is listed', () => {
    const r = run({
      pairs: [
        {
          ...pairOf(),
          members: [
            { id: 'db-1', weight: 10 },
            { id: 'db-2', weight: 49 },
            { id: 'db-3', weight: 30 },
          ],
          active: 'db-1',
        },
      ],
      events: [KILL],
    });
    expect(switchoversStarted(r)[0]?.intent?.to).toBe('db-2');
  });

  it('with three members the failover picks the highest-weight Up and stable one', () => {
    const r = run({
      pairs: [
        {
          ...pairOf(),
          members: [
            { id: 'db-1', weight: 60 },
            { id: 'db-2', weight: 30 },
            { id: 'db-3', weight: 50 },
          ],
        },
      ],
      events: [{ at: 5 * S, node: 'db-3', beats: 'unhealthy' }, KILL],
    });
    expect(switchoversStarted(r)[0]?.intent?.to).toBe('db-2');
  });
});
