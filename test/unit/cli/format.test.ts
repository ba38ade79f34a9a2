import { describe, expect, it } from 'vitest';
import { ApiError, BadResponseError, CliFailure, failureOf, UnreachableError } from '../../../server/cli/errors.ts';
import {
  age,
  renderAlerts,
  renderDrill,
  renderEvents,
  renderNodes,
  renderNodeToken,
  renderOutcome,
  renderPair,
  renderStatus,
  table,
} from '../../../server/cli/format.ts';
import type { StatusView } from '../../../server/cli/responses.ts';
import type { AlertView } from '../../../server/contract/alerts.ts';
import type { NodeView } from '../../../server/contract/nodes.ts';
import type { EventView, MemberView, PairView } from '../../../server/contract/pairs.ts';
import { defaultThresholdProfile } from '../../../server/contract/thresholds.ts';

const NOW = Date.parse('2026-11-23T12:00:10.000Z');
const at = (secondsBefore: number) => new Date(NOW - secondsBefore * 1000).toISOString();

function member(over: Partial<MemberView>): MemberView {
  return {
    nodeId: 'n1',
    name: 'db-1',
    weight: 51,
    preferred: true,
    role: 'active',
    verdict: 'up',
    stable: true,
    connected: true,
    upSince: at(60),
    downSince: null,
    unstableSince: null,
    lastHeartbeatAt: at(0.2),
    lastHealthy: true,
    reportedRole: 'active',
    reportedEpoch: 0,
    ...over,
  };
}

function pair(over: Partial<PairView> = {}): PairView {
  return {
    id: 'p1',
    name: 'orders',
    display: { state: 'normal' },
    epoch: 0,
    activeNodeId: 'n1',
    autoFailover: true,
    maintenance: false,
    failbackPolicy: { kind: 'on-re-enable' },
    commandTimeoutMs: 30_000,
    profile: defaultThresholdProfile(),
    detection: {
      active: { up: 'Up after 5 × 10 s = 50 s', down: 'Down after 5 × 10 s = 50 s', downHeartbeat: 'DH' },
      passive: { up: 'Up after 5 × 10 s = 50 s', down: 'Down after 5 × 10 s = 50 s', downHeartbeat: 'DH' },
    },
    members: [
      member({}),
      member({ nodeId: 'n2', name: 'db-2', weight: 49, preferred: false, role: 'passive', lastHeartbeatAt: at(12.4) }),
    ],
    switchover: null,
    pendingFailoverAck: null,
    hold: null,
    outageSince: null,
    ...over,
  };
}

const brake = { engaged: false, autoSwitchoversInWindow: 0, limit: 3, windowMs: 600_000 };

describe('table', () => {
  it('pads every column but the last, two spaces apart, with no trailing spaces', () => {
    expect(
      table(
        ['A', 'LONG HEADER', 'C'],
        [
          ['xxxx', 'y', ''],
          ['z', '', 'last'],
        ],
      ),
    ).toBe(['A     LONG HEADER  C', 'xxxx  y', 'z                  last'].join('\n'));
  });
});

describe('age', () => {
  it.each([
    [null, 'never'],
    [at(0.25), '0.3 s ago'],
    [at(12.4), '12 s ago'],
    [at(150), '3 min ago'],
    [at(5 * 3600), '5 h ago'],
    [at(3 * 86_400), '3 d ago'],
    [at(-2), 'just now'],
  ])('%s → %s', (iso, text) => {
    expect(age(iso, NOW)).toBe(text);
  });
});

describe('renderStatus', () => {
  it('shows each pair with its state, active node, flags and one row per member', () => {
    const status: StatusView = { pairs: [pair()], openAlerts: 0, brake, fleet: { pairedNodes: 2, suspectNodes: 0 } };
    expect(renderStatus(status, NOW)).toBe(
      [
        'pairs: 1   open alerts: 0   global brake: not engaged (0 of 3 automatic switchovers in 10 min)',
        '',
        'pair orders: normal, active db-1, epoch 0, auto-failover on, maintenance off',
        '  NODE  ROLE     WEIGHT        VERDICT  STABILITY  AGENT      LAST HEARTBEAT',
        '  db-1  active   51 preferred  up       stable     connected  0.2 s ago, healthy',
        '  db-2  passive  49            up       stable     connected  12 s ago, healthy',
        '',
      ].join('\n'),
    );
  });

  it('after a failover: the state, who is active, the unstable member, the pending acknowledgement and the way out', () => {
    const failedOver = pair({
      display: { state: 'failed-over' },
      epoch: 1,
      activeNodeId: 'n2',
      autoFailover: false,
      pendingFailoverAck: { at: at(5), to: 'n2' },
      members: [
        member({
          role: 'passive',
          verdict: 'down',
          stable: false,
          connected: false,
          unstableSince: '2026-11-23T11:59:58.000Z',
          lastHeartbeatAt: at(9),
        }),
        member({ nodeId: 'n2', name: 'db-2', weight: 49, preferred: false, role: 'active' }),
      ],
    });
    const text = renderStatus(
      {
        pairs: [failedOver],
        openAlerts: 2,
        brake: { ...brake, autoSwitchoversInWindow: 1 },
        fleet: { pairedNodes: 2, suspectNodes: 1 },
      },
      NOW,
    );
    expect(text).toContain('open alerts: 2 (switchyard alerts)');
    expect(text).toContain('suspect nodes: 1 of 2 paired');
    expect(text).toContain('pair orders: failed-over, active db-2, epoch 1, auto-failover off');
    expect(text).toContain(
      'automatic failover to db-2 at 2026-11-23 12:00:05Z awaits acknowledgement: switchyard auto-failover orders on --reason "..."',
    );
    expect(text).toMatch(
      /db-1 {2}passive {2}51 preferred {2}down {5}unstable since 11:59:58Z {2}disconnected {2}9.0 s ago/,
    );
  });

  it('shows an engaged brake with the command that releases it, a switchover in flight, and a hold', () => {
    const switching = pair({
      display: { state: 'switching', kind: 'manual' },
      switchover: {
        id: 's1',
        kind: 'manual',
        from: 'n1',
        to: 'n2',
        epoch: 1,
        step: 'promote',
        startedAt: at(1),
        stepDeadlineAt: '2026-11-23T12:00:40.000Z',
        reason: 'manual',
      },
      hold: { guard: 'no-target', since: at(30), explanation: 'no failover: no Up and stable passive node' },
    });
    const text = renderStatus(
      {
        pairs: [switching],
        openAlerts: 0,
        brake: { ...brake, engaged: true, autoSwitchoversInWindow: 3 },
        fleet: { pairedNodes: 2, suspectNodes: 0 },
      },
      NOW,
    );
    expect(text).toContain('global brake: ENGAGED (3 of 3 automatic switchovers in 10 min)');
    expect(text).toContain('release with: switchyard brake release');
    expect(text).toContain('pair orders: switching (manual)');
    expect(text).toContain('switching: manual db-1 → db-2, epoch 1, step promote (deadline 2026-11-23 12:00:40Z)');
    expect(text).toContain('held since 2026-11-23 11:59:40Z: no failover: no Up and stable passive node');
  });

  it('says what to do when there is no pair yet', () => {
    const text = renderStatus({ pairs: [], openAlerts: 0, brake, fleet: { pairedNodes: 0, suspectNodes: 0 } }, NOW);
    expect(text).toContain('no pairs yet');
  });
});

describe('renderPair and renderOutcome', () => {
  it('shows settings, detection times and members', () => {
    const text = renderPair(pair({ failbackPolicy: { kind: 'after-healthy-streak', streakMs: 30_000 } }), NOW);
    expect(text).toContain('pair orders (id p1)');
    expect(text).toContain('  failback         after the preferred node stays Up and stable for 30 s');
    expect(text).toContain('  active role      Up after 5 × 10 s = 50 s; Down after 5 × 10 s = 50 s; DH');
    expect(text).toContain('  db-2  passive  49');
  });

  it('puts the manager’s message first, then the pair in one line', () => {
    expect(renderOutcome({ message: 'auto-failover enabled', pair: pair() })).toBe(
      'auto-failover enabled\npair orders: normal, active db-1, epoch 0, auto-failover on, maintenance off\n',
    );
  });
});

describe('renderNodes and tokens', () => {
  const node: NodeView = {
    id: 'n1',
    name: 'db-1',
    address: '10.0.0.11',
    labels: {},
    agentVersion: '0.1.0',
    connected: true,
    lastHeartbeat: {
      receivedAt: at(1),
      via: 'websocket',
      seq: 4,
      healthy: false,
      components: [],
      role: 'active',
      epoch: 2,
    },
    token: { state: 'active', createdAt: at(100), revokedAt: null },
    createdAt: at(100),
    updatedAt: at(100),
  };

  it('lists the agent, the last heartbeat and its health', () => {
    expect(renderNodes([node], NOW)).toBe(
      [
        'NAME  ADDRESS    AGENT              LAST HEARTBEAT        ROLE    EPOCH  TOKEN   ID',
        'db-1  10.0.0.11  connected (0.1.0)  1.0 s ago, unhealthy  active  2      active  n1',
        '',
      ].join('\n'),
    );
  });

  it('prints the token once with the warning that it will not be shown again', () => {
    const text = renderNodeToken({ node, token: 'sya_secret' }, 'enrolled');
    expect(text).toContain('node db-1 enrolled (id n1, address 10.0.0.11)');
    expect(text).toContain('token: sya_secret');
    expect(text).toContain('shown only once');
  });
});

describe('renderEvents', () => {
  const event = (id: number, kind: string, message: string, details: Record<string, unknown> = {}): EventView => ({
    id,
    at: at(100 - id),
    kind,
    pairId: 'p1',
    nodeId: null,
    actor: 'system',
    message,
    details,
  });

  it('reads oldest first, with the rule that decided and the way to older events', () => {
    const text = renderEvents(
      'orders',
      [
        event(12, 'decision', 'failover db-1 → db-2: active node db-1 is Down', { rule: 'rule 2' }),
        event(11, 'signal', 'Down(db-1) at 12:00:00.000: ActiveDown', { rule: 'ActiveDown' }),
      ],
      11,
    );
    expect(text).toBe(
      [
        '#11  2026-11-23 11:58:41.000Z  signal  by system  (ActiveDown)',
        '    Down(db-1) at 12:00:00.000: ActiveDown',
        '#12  2026-11-23 11:58:42.000Z  decision  by system  (rule 2)',
        '    failover db-1 → db-2: active node db-1 is Down',
        '',
        'older events: switchyard events orders --before 11',
        '',
      ].join('\n'),
    );
  });

  it('shows a refusal’s code', () => {
    expect(renderEvents('orders', [event(3, 'refused', 'refused: x', { code: 'TARGET_NOT_UP' })], null)).toContain(
      '(TARGET_NOT_UP)',
    );
  });
});

describe('renderDrill and renderAlerts', () => {
  it('says the drill changed nothing and lists what would happen', () => {
    const text = renderDrill('orders', 'db-1', {
      summary: 'failover db-1 → db-2',
      explanation: ['Down(db-1)', 'failover db-1 → db-2'],
      displayAfter: { state: 'switching', kind: 'failover' },
      commands: [{ node: 'db-2', command: 'prepare', epoch: 1 }],
      alerts: [],
    });
    expect(text).toContain('what if db-1 failed now in pair orders? (a simulation: nothing was changed)');
    expect(text).toContain('state after: switching (failover)');
    expect(text).toContain('    - prepare to db-2 (epoch 1)');
    expect(text).toContain('  alerts it would raise:\n    none');
  });

  it('names pairs and nodes instead of ids, and tells how to acknowledge', () => {
    const alert: AlertView = {
      id: 7,
      key: 'node-down:n1',
      kind: 'node-down',
      severity: 'critical',
      state: 'open',
      pairId: 'p1',
      nodeId: 'n1',
      message: 'active node db-1 of pair orders is Down',
      ackOnly: false,
      raisedAt: at(30),
      lastRaisedAt: at(30),
      count: 2,
      clearedAt: null,
      ack: null,
    };
    const text = renderAlerts(
      [alert],
      { pairs: new Map([['p1', 'orders']]), nodes: new Map([['n1', 'db-1']]) },
      NOW,
      false,
    );
    expect(text).toContain('7   critical  open   node-down  orders  db-1  30 s ago (×2)  active node db-1');
    expect(text).toContain('switchyard ack <id> --comment');
    expect(renderAlerts([], { pairs: new Map(), nodes: new Map() }, NOW, false)).toBe('no open alerts\n');
  });
});

describe('failureOf: exit codes', () => {
  const body = { statusCode: 409, error: 'Conflict', code: 'TARGET_NOT_UP', message: 'db-2 is\nnot Up' };

  it('a refusal is exit 1 with the server’s message on one line, and its body on stdout with --json', () => {
    expect(failureOf(new ApiError(409, body), false)).toEqual({ exitCode: 1, message: 'db-2 is not Up' });
    expect(failureOf(new ApiError(409, body), true).stdout).toContain('"code": "TARGET_NOT_UP"');
  });

  it('an unreachable server is exit 3 and names the URL', () => {
    const f = failureOf(new UnreachableError('http://127.0.0.1:9', 'connection refused'), false);
    expect(f.exitCode).toBe(3);
    expect(f.message).toContain('http://127.0.0.1:9 (connection refused)');
  });

  it('a local refusal or a body outside the contract is exit 1; anything else is a bug and is rethrown', () => {
    expect(failureOf(new CliFailure('no pair named "x"'), false).exitCode).toBe(1);
    expect(failureOf(new BadResponseError('not JSON'), false).exitCode).toBe(1);
    expect(() => failureOf(new RangeError('bug'), false)).toThrow('bug');
  });
});
