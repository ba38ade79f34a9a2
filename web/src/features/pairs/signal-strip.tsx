import { useEffect, useState } from 'react';
import { eventPage } from '../../../../server/contract/fleet.ts';
import type { EventView, PairView } from '../../../../server/contract/pairs.ts';
import { api } from '../../lib/api-client.ts';

const HOUR = 60 * 60_000;
const COLOR: Record<string, string> = { Up: 'var(--ok)', DownHeartbeat: 'var(--warn)', Down: 'var(--bad)' };

/**
 * Heartbeat health of each member over the last hour, from the signals the
 * thresholds raised: green Up, amber DownHeartbeat, red Down. A small chart to
 * look at before re-enabling auto-failover.
 */
export function SignalStrip({ pair }: { pair: PairView }) {
  const [signals, setSignals] = useState<EventView[] | null>(null);
  useEffect(() => {
    api('GET', `/pairs/${pair.id}/events?kind=signal&limit=500`, undefined, eventPage)
      .then((page) => setSignals(page.events))
      .catch(() => setSignals([]));
  }, [pair.id]);
  const now = Date.now();
  const width = 360;
  const row = 22;
  return (
    <figure className="signal-strip">
      <svg
        width={width + 70}
        height={pair.members.length * row + 16}
        role="img"
        aria-label={`heartbeat health of ${pair.members.map((m) => m.name).join(' and ')} over the last hour`}
      >
        {pair.members.map((m, i) => {
          const y = i * row + 4;
          const mine = (signals ?? []).filter((e) => e.nodeId === m.nodeId && now - Date.parse(e.at) <= HOUR);
          return (
            <g key={m.nodeId}>
              <text x={0} y={y + 12} fontSize="12" fill="currentColor">
                {m.name}
              </text>
              <rect x={64} y={y} width={width} height={16} fill="var(--panel-2)" />
              {mine.map((e) => {
                const at = Number(e.details.at ?? Date.parse(e.at));
                const x = 64 + ((at - (now - HOUR)) / HOUR) * width;
                const kind = String(e.details.signal ?? '');
                return (
                  <rect key={e.id} x={Math.max(64, x - 1)} y={y} width={3} height={16} fill={COLOR[kind] ?? 'gray'} />
                );
              })}
            </g>
          );
        })}
        <text x={64} y={pair.members.length * row + 14} fontSize="10" fill="currentColor">
          1 h ago
        </text>
        <text x={width + 40} y={pair.members.length * row + 14} fontSize="10" fill="currentColor">
          now
        </text>
      </svg>
      <figcaption className="muted">
        {signals === null ? 'loading signals…' : `${signals.length} signals; green Up, amber DownHeartbeat, red Down`}
      </figcaption>
    </figure>
  );
}
