import type { AlertView } from '../contract/alerts.ts';
import type { NodeView } from '../contract/nodes.ts';
import type { EventView, MemberView, PairView } from '../contract/pairs.ts';
import { formatDuration } from '../contract/thresholds.ts';
import type { BrakeView, StatusView } from './responses.ts';

/**
 * Pure text rendering of API views for a terminal. `now` is passed in (ages
 * such as "1.2 s ago"); times are shown in UTC with a Z, unambiguous in logs
 * and tickets.
 */

/** Columns separated by two spaces, no trailing spaces. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "0.4 s ago", "12 s ago", "3 min ago", "5 h ago", "2 d ago"; "never" for null. */
export function age(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (ms < 0) return 'just now';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s ago`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} d ago`;
}

/** "2026-11-23 12:03:10Z" (or with milliseconds) */
export function time(iso: string, millis = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = d.toISOString().replace('T', ' ');
  return millis ? text : `${text.slice(0, 19)}Z`;
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function displayText(p: PairView): string {
  return p.display.kind ? `${p.display.state} (${p.display.kind})` : p.display.state;
}

const nameOf = (p: PairView, nodeId: string | null) =>
  nodeId === null ? 'none' : (p.members.find((m) => m.nodeId === nodeId)?.name ?? nodeId);

/** One line: "orders  normal  active db-1  epoch 0  auto-failover on  maintenance off" */
export function pairLine(p: PairView): string {
  return `pair ${p.name}: ${displayText(p)}, active ${nameOf(p, p.activeNodeId)}, epoch ${p.epoch}, auto-failover ${onOff(p.autoFailover)}, maintenance ${onOff(p.maintenance)}`;
}

function memberRows(members: MemberView[], now: number): string[][] {
  return members.map((m) => [
    m.name,
    m.role,
    `${m.weight}${m.preferred ? ' preferred' : ''}`,
    m.verdict,
    m.stable ? 'stable' : m.unstableSince ? `unstable since ${time(m.unstableSince).slice(11)}` : 'unstable',
    m.connected ? 'connected' : 'disconnected',
    m.lastHeartbeatAt === null
      ? 'never'
      : `${age(m.lastHeartbeatAt, now)}${m.lastHealthy === null ? '' : m.lastHealthy ? ', healthy' : ', unhealthy'}`,
  ]);
}

export function membersTable(members: MemberView[], now: number): string {
  return table(['NODE', 'ROLE', 'WEIGHT', 'VERDICT', 'STABILITY', 'AGENT', 'LAST HEARTBEAT'], memberRows(members, now));
}

const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** The lines that say what is going on beyond the state: switchover, hold, outage, pending acknowledgement. */
function pairNotes(p: PairView): string[] {
  const notes: string[] = [];
  if (p.switchover) {
    const s = p.switchover;
    notes.push(
      `switching: ${s.kind} ${nameOf(p, s.from)} → ${nameOf(p, s.to)}, epoch ${s.epoch}, step ${s.step} (deadline ${time(s.stepDeadlineAt)})`,
    );
  }
  if (p.hold) notes.push(`held since ${time(p.hold.since)}: ${p.hold.explanation}`);
  if (p.outageSince)
    notes.push(`outage since ${time(p.outageSince)}: the active node is Down and no passive node can take over`);
  if (p.pendingFailoverAck) {
    notes.push(
      `automatic failover to ${nameOf(p, p.pendingFailoverAck.to)} at ${time(p.pendingFailoverAck.at)} awaits acknowledgement: switchyard auto-failover ${p.name} on --reason "..." acknowledges it and fails back`,
    );
  }
  return notes;
}

function brakeText(b: BrakeView): string {
  const count = `${b.autoSwitchoversInWindow} of ${b.limit} automatic switchovers in ${formatDuration(b.windowMs)}`;
  return b.engaged
    ? `ENGAGED (${count}): automatic switchovers are held; release with: switchyard brake release`
    : `not engaged (${count})`;
}

export function renderStatus(s: StatusView, now: number): string {
  const head = [
    `pairs: ${s.pairs.length}   open alerts: ${s.openAlerts}${s.openAlerts > 0 ? ' (switchyard alerts)' : ''}   global brake: ${brakeText(s.brake)}`,
  ];
  if (s.fleet.suspectNodes > 0) head.push(`suspect nodes: ${s.fleet.suspectNodes} of ${s.fleet.pairedNodes} paired`);
  if (s.pairs.length === 0) {
    head.push('', 'no pairs yet: enroll two nodes (switchyard nodes add) and link them (switchyard pairs link)');
    return `${head.join('\n')}\n`;
  }
  const blocks = s.pairs.map((p) =>
    [pairLine(p), ...pairNotes(p).map((n) => `  ${n}`), indent(membersTable(p.members, now))].join('\n'),
  );
  return `${head.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

export function renderNodes(nodes: NodeView[], now: number): string {
  if (nodes.length === 0) return 'no nodes yet: enroll one with switchyard nodes add <name> <address>\n';
  const rows = nodes.map((n) => {
    const hb = n.lastHeartbeat;
    return [
      n.name,
      n.address,
      `${n.connected ? 'connected' : 'disconnected'}${n.agentVersion ? ` (${n.agentVersion})` : ''}`,
      hb ? `${age(hb.receivedAt, now)}, ${hb.healthy ? 'healthy' : 'unhealthy'}` : 'never',
      hb ? hb.role : '-',
      hb ? String(hb.epoch) : '-',
      n.token.state,
      n.id,
    ];
  });
  return `${table(['NAME', 'ADDRESS', 'AGENT', 'LAST HEARTBEAT', 'ROLE', 'EPOCH', 'TOKEN', 'ID'], rows)}\n`;
}

export function renderNodeToken(result: { node: NodeView; token: string }, action: 'enrolled' | 'rotated'): string {
  const { node, token } = result;
  const head =
    action === 'enrolled'
      ? `node ${node.name} enrolled (id ${node.id}, address ${node.address})`
      : `new token for node ${node.name} (id ${node.id}); the old one no longer works and its agent was disconnected`;
  return [
    head,
    `token: ${token}`,
    'This token is shown only once: put it in the agent’s config now ("token", or a "tokenFile" of mode 0600).',
    '',
  ].join('\n');
}

export function renderRevoked(node: NodeView): string {
  const when = node.token.revokedAt ? ` at ${time(node.token.revokedAt)}` : '';
  return `token of node ${node.name} revoked${when}: its agent is disconnected and cannot reconnect; give it a new one with: switchyard nodes rotate-token ${node.name}\n`;
}

export function renderPairs(pairs: PairView[]): string {
  if (pairs.length === 0)
    return 'no pairs yet: link two nodes with switchyard pairs link <name> <primary> <secondary>\n';
  const rows = pairs.map((p) => [
    p.name,
    displayText(p),
    nameOf(p, p.activeNodeId),
    String(p.epoch),
    onOff(p.autoFailover),
    onOff(p.maintenance),
    p.members.map((m) => `${m.name} (${m.weight})`).join(', '),
    p.id,
  ]);
  return `${table(['NAME', 'STATE', 'ACTIVE', 'EPOCH', 'AUTO-FAILOVER', 'MAINTENANCE', 'MEMBERS', 'ID'], rows)}\n`;
}

function failbackText(p: PairView): string {
  switch (p.failbackPolicy.kind) {
    case 'on-re-enable':
      return 'on re-enable (when auto-failover is turned on again)';
    case 'after-healthy-streak':
      return `after the preferred node stays Up and stable for ${formatDuration(p.failbackPolicy.streakMs)}`;
    case 'manual':
      return 'manual only';
  }
}

export function renderPair(p: PairView, now: number): string {
  const rows: [string, string][] = [
    ['state', displayText(p)],
    ['active', `${nameOf(p, p.activeNodeId)} (epoch ${p.epoch})`],
    ['auto-failover', onOff(p.autoFailover)],
    ['maintenance', onOff(p.maintenance)],
    ['failback', failbackText(p)],
    ['command timeout', formatDuration(p.commandTimeoutMs)],
    ['active role', `${p.detection.active.up}; ${p.detection.active.down}; ${p.detection.active.downHeartbeat}`],
    ['passive role', `${p.detection.passive.up}; ${p.detection.passive.down}; ${p.detection.passive.downHeartbeat}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const notes = pairNotes(p);
  return [
    `pair ${p.name} (id ${p.id})`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    ...(notes.length > 0 ? ['', ...notes.map((n) => `  ${n}`)] : []),
    '',
    indent(membersTable(p.members, now)),
    '',
  ].join('\n');
}

export function renderOutcome(o: { message: string; pair: PairView }): string {
  return `${o.message}\n${pairLine(o.pair)}\n`;
}

/**
 * The timeline, oldest first: each event's time, kind and actor, then its
 * message (the explanation, in the manager's words) and the rule or guard that
 * decided, when the event records one.
 */
export function renderEvents(pairName: string, events: EventView[], nextBefore: number | null): string {
  if (events.length === 0) return `no events for pair ${pairName}\n`;
  const lines = [...events].reverse().flatMap((e) => {
    const rule = typeof e.details.rule === 'string' ? e.details.rule : null;
    const code = typeof e.details.code === 'string' ? e.details.code : null;
    const tags = [rule, code].filter(Boolean).join(', ');
    return [`#${e.id}  ${time(e.at, true)}  ${e.kind}  by ${e.actor}${tags ? `  (${tags})` : ''}`, `    ${e.message}`];
  });
  const more = nextBefore === null ? [] : ['', `older events: switchyard events ${pairName} --before ${nextBefore}`];
  return `${[...lines, ...more].join('\n')}\n`;
}

export function renderDrill(
  pairName: string,
  nodeName: string,
  d: {
    summary: string;
    explanation: string[];
    displayAfter: PairView['display'];
    commands: { node: string; command: string; epoch: number }[];
    alerts: { kind: string; severity: string; message: string }[];
  },
): string {
  const after = d.displayAfter.kind ? `${d.displayAfter.state} (${d.displayAfter.kind})` : d.displayAfter.state;
  const list = (items: string[]) => (items.length === 0 ? ['    none'] : items.map((i) => `    - ${i}`));
  return [
    `drill: what if ${nodeName} failed now in pair ${pairName}? (a simulation: nothing was changed)`,
    `  ${d.summary}`,
    `  state after: ${after}`,
    '  explanation:',
    ...list(d.explanation),
    '  commands it would send:',
    ...list(d.commands.map((c) => `${c.command} to ${c.node} (epoch ${c.epoch})`)),
    '  alerts it would raise:',
    ...list(d.alerts.map((a) => `${a.severity} ${a.kind}: ${a.message}`)),
    '',
  ].join('\n');
}

export interface Names {
  pairs: Map<string, string>;
  nodes: Map<string, string>;
}

export function renderAlerts(alerts: AlertView[], names: Names, now: number, all: boolean): string {
  if (alerts.length === 0) return all ? 'no alerts\n' : 'no open alerts\n';
  const rows = alerts.map((a) => [
    String(a.id),
    a.severity,
    a.state,
    a.kind,
    a.pairId === null ? '-' : (names.pairs.get(a.pairId) ?? a.pairId),
    a.nodeId === null ? '-' : (names.nodes.get(a.nodeId) ?? a.nodeId),
    `${age(a.raisedAt, now)}${a.count > 1 ? ` (×${a.count})` : ''}`,
    a.message,
  ]);
  const ackable = alerts.some((a) => a.state === 'open');
  return `${table(['ID', 'SEVERITY', 'STATE', 'KIND', 'PAIR', 'NODE', 'RAISED', 'MESSAGE'], rows)}\n${
    ackable ? 'acknowledge one with: switchyard ack <id> --comment "..."\n' : ''
  }`;
}

export function renderAck(a: AlertView): string {
  const by = a.ack ? ` by ${a.ack.by}: "${a.ack.comment}"` : '';
  return `alert ${a.id} (${a.kind}) acknowledged${by}; it is now ${a.state}\n`;
}

export function renderBrake(b: BrakeView, released = false): string {
  return `${released ? 'global brake released; now ' : 'global brake: '}${brakeText(b)}\n`;
}
