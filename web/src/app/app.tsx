import type { ReactNode } from 'react';
import { AppLink } from '../components/app-link.tsx';
import { AlertsPage } from '../features/alerts/alerts-page.tsx';
import { LoginPage } from '../features/auth/login-page.tsx';
import { SessionProvider, useCan, useSession } from '../features/auth/session.tsx';
import { DestinationsPage } from '../features/destinations/destinations-page.tsx';
import { NodesPage } from '../features/nodes/nodes-page.tsx';
import { Dashboard } from '../features/pairs/dashboard.tsx';
import { LinkPairWizard } from '../features/pairs/link-pair.tsx';
import { PairPage } from '../features/pairs/pair-page.tsx';
import { UsersPage } from '../features/users/users-page.tsx';
import { useLive } from '../lib/live.ts';
import { match, usePath } from '../lib/router.ts';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { user, loading } = useSession();
  if (loading) return <p className="muted">Loading…</p>;
  if (!user) return <LoginPage />;
  return <Signed />;
}

function Link({ to, children }: { to: string; children: ReactNode }) {
  const path = usePath();
  const current = to === '/' ? path === '/' || path.startsWith('/pairs') : path.startsWith(to);
  return (
    <AppLink to={to} current={current}>
      {children}
    </AppLink>
  );
}

function Signed() {
  const { user, logout } = useSession();
  const can = useCan();
  const live = useLive();
  const path = usePath();
  const pair = match('/pairs/:id', path);
  let page: ReactNode;
  if (pair?.id) page = <PairPage key={pair.id} id={pair.id} />;
  else if (path === '/link' && can('admin')) page = <LinkPairWizard />;
  else if (path === '/nodes') page = <NodesPage />;
  else if (path === '/alerts') page = <AlertsPage />;
  else if (path === '/destinations') page = <DestinationsPage />;
  else if (path === '/users') page = <UsersPage />;
  else page = <Dashboard />;
  return (
    <>
      <header className="top">
        <strong className="brand">Switchyard</strong>
        <nav aria-label="main">
          <Link to="/">Pairs</Link>
          <Link to="/nodes">Nodes</Link>
          <Link to="/alerts">
            Alerts{live.alerts.length > 0 ? <span className="count"> {live.alerts.length}</span> : null}
          </Link>
          <Link to="/destinations">Destinations</Link>
          <Link to="/users">{can('admin') ? 'Users' : 'Tokens'}</Link>
        </nav>
        <span className="who">
          {user?.name} ({user?.role}){' '}
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <main>{page}</main>
    </>
  );
}
