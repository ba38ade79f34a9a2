import type { EventView, PairView } from '../contract/pairs.ts';
import { clockTime } from '../domain/time-text.ts';

/**
 * Pure: turns what the demo polls (the pair, its new events, new hooks.log
 * lines) into the lines it narrates. Signals other than Up and Down
 * (DownHeartbeat fires every second while a node is silent) stay out: they
 * are in `switchyard events`.
 */

export interface PairSnapshot {
  line: string;
  connected: Record<string, boolean>;
}

export function snapshotOf(p: PairView): PairSnapshot {
  const active = p.members.find((m) => m.nodeId === p.activeNodeId)?.name ?? 'none';
  const state = p.display.kind ? `${p.display.state} (${p.display.kind})` : p.display.state;
  return {
    line: `pair ${p.name}: ${state}, active ${active}, epoch ${p.epoch}, auto-failover ${p.autoFailover ? 'on' : 'off'}`,
    connected: Object.fromEntries(p.members.map((m) => [m.name, m.connected])),
  };
}

export function pairChanges(before: PairSnapshot | null, after: PairSnapshot): string[] {
  const lines: string[] = [];
  for (const [node, connected] of Object.entries(after.connected)) {
    if (before?.connected[node] !== connected && (before !== null || connected)) {
      lines.push(`${node}'s agent ${connected ? 'connected' : 'disconnected'}`);
    }
  }
  if (before?.line !== after.line) lines.push(after.line);
  return lines;
}

const QUIET_KINDS = new Set(['command-result']);

export function eventLine(e: EventView): string | null {
  if (QUIET_KINDS.has(e.kind)) return null;
  if (e.kind === 'signal' && e.details.signal !== 'Up' && e.details.signal !== 'Down') return null;
  const r = e.details.rule;
  // Decisions already name their rule in the message; signals name their condition.
  const rule = typeof r === 'string' && e.kind !== 'signal' && !e.message.includes(r) ? ` (${r})` : '';
  return `[${e.kind}] ${e.message}${rule}`;
}

export const stamp = (at: number, line: string) => `${clockTime(at).slice(0, 8)}  ${line}`;
