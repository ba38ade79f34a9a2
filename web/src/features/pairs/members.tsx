import type { PairView } from '../../../../server/contract/pairs.ts';
import { Badge } from '../../components/ui.tsx';
import type { LiveState } from '../../lib/live.ts';
import { ago } from '../../lib/time.ts';

type Member = PairView['members'][number];

export function verdictBadge(m: Member) {
  if (m.verdict === 'down') return <Badge tone="bad">Down</Badge>;
  if (m.verdict === 'unknown') return <Badge tone="off">no verdict</Badge>;
  return m.stable ? <Badge tone="ok">Up</Badge> : <Badge tone="warn">Up, unstable</Badge>;
}

/** Each member's health, role and last heartbeat age: the heart of the dashboard. */
export function MembersTable({ pair, live, now }: { pair: PairView; live: LiveState; now: number }) {
  return (
    <table className="members">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Role</th>
          <th scope="col">Health</th>
          <th scope="col">Agent</th>
          <th scope="col">Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {pair.members.map((m) => {
          const hb = live.heartbeats[m.nodeId];
          const last = hb?.lastHeartbeatAt ?? m.lastHeartbeatAt;
          const healthy = hb?.healthy ?? m.lastHealthy;
          return (
            <tr key={m.nodeId} data-testid={`member-${m.name}`}>
              <th scope="row">
                {m.name}
                {m.preferred && <span className="muted"> · preferred ({m.weight})</span>}
                {!m.preferred && <span className="muted"> · weight {m.weight}</span>}
              </th>
              <td>{m.role === 'active' ? <Badge tone="info">active</Badge> : 'passive'}</td>
              <td data-testid={`verdict-${m.name}`}>{verdictBadge(m)}</td>
              <td>{(hb?.connected ?? m.connected) ? 'connected' : <Badge tone="off">disconnected</Badge>}</td>
              <td>
                {ago(last, now)}
                {healthy === false && <span className="error-text"> (unhealthy)</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
