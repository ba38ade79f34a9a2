import { AppLink } from '../../components/app-link.tsx';
import { Badge, Empty, StateBadge } from '../../components/ui.tsx';
import { useLive } from '../../lib/live.ts';
import { navigate, useTitle } from '../../lib/router.ts';
import { useNow } from '../../lib/use-now.ts';
import { useCan } from '../auth/session.tsx';
import { MembersTable } from './members.tsx';

/** Every pair at a glance, live: state, active node, members' health, flags. */
export function Dashboard() {
  useTitle('Pairs');
  const live = useLive();
  const now = useNow();
  const can = useCan();
  const pairs = Object.values(live.pairs).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="dash-title">
      <header className="page-head">
        <h1 id="dash-title">Pairs</h1>
        <span className={live.connected ? 'muted' : 'error-text'} role="status">
          {live.connected ? 'live' : 'reconnecting…'}
        </span>
        {can('admin') && (
          <button type="button" onClick={() => navigate('/link')}>
            Link HA pair
          </button>
        )}
      </header>
      {live.alerts.length > 0 && (
        <p className="banner">
          <AppLink to="/alerts">
            {live.alerts.length} open alert{live.alerts.length === 1 ? '' : 's'}
          </AppLink>
        </p>
      )}
      {pairs.length === 0 && <Empty>No pairs yet.</Empty>}
      <div className="grid">
        {pairs.map((p) => {
          const active = p.members.find((m) => m.nodeId === p.activeNodeId);
          return (
            <article key={p.id} className={`card pair state-border-${p.display.state}`} data-testid={`pair-${p.name}`}>
              <header className="pair-head">
                <h2>
                  <AppLink to={`/pairs/${p.id}`}>{p.name}</AppLink>
                </h2>
                <StateBadge state={p.display.state} kind={p.display.kind} />
              </header>
              <p>
                Active: <strong data-testid="active-node">{active?.name ?? 'none'}</strong> · epoch {p.epoch}{' '}
                {p.autoFailover ? (
                  <Badge tone="ok">auto-failover on</Badge>
                ) : (
                  <Badge tone="warn">auto-failover off</Badge>
                )}{' '}
                {p.maintenance && <Badge tone="info">maintenance</Badge>}
              </p>
              <MembersTable pair={p} live={live} now={now} />
              {p.hold && <p className="hold">{p.hold.explanation}</p>}
            </article>
          );
        })}
      </div>
    </section>
  );
}
