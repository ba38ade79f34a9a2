import { useEffect, useState } from 'react';
import type { AlertView } from '../../../../server/contract/alerts.ts';
import { alertList } from '../../../../server/contract/fleet.ts';
import { Badge, Dialog, Empty, ErrorMessage } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { useLive } from '../../lib/live.ts';
import { useTitle } from '../../lib/router.ts';
import { clock } from '../../lib/time.ts';
import { useCan } from '../auth/session.tsx';

const TONE = { critical: 'bad', major: 'warn', minor: 'info', info: 'off' } as const;

/** The problem summary, live; operators acknowledge with a comment. */
export function AlertsPage() {
  useTitle('Alerts');
  const live = useLive();
  const can = useCan();
  const [all, setAll] = useState(false);
  const [history, setHistory] = useState<AlertView[]>([]);
  const [acking, setAcking] = useState<AlertView | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (all)
      api('GET', '/alerts?state=all', undefined, alertList)
        .then((r) => setHistory(r.alerts))
        .catch((e) => setError(errorText(e)));
  }, [all]);
  const alerts = all ? history : live.alerts;
  const pairName = (id: string | null) => (id ? (live.pairs[id]?.name ?? '') : '');
  return (
    <section aria-labelledby="alerts-title">
      <header className="page-head">
        <h1 id="alerts-title">Alerts</h1>
        <label className="inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> show closed ones too
        </label>
      </header>
      <ErrorMessage error={error} />
      {alerts.length === 0 && <Empty>No open alerts.</Empty>}
      <ul className="alerts">
        {alerts.map((a) => (
          <li key={a.id} className="card" data-testid={`alert-${a.id}`}>
            <p>
              <Badge tone={TONE[a.severity]}>{a.severity}</Badge> <strong>{a.kind}</strong> {pairName(a.pairId)} ·{' '}
              <span className="muted">
                {a.state} · raised {clock(a.raisedAt)}
                {a.count > 1 ? ` · ${a.count} times` : ''}
              </span>
            </p>
            <p>{a.message}</p>
            {a.ack && (
              <p className="muted">
                acknowledged by {a.ack.by} at {clock(a.ack.at)}: “{a.ack.comment}”
              </p>
            )}
            {can('operator') && !a.ack && a.state !== 'closed-acknowledged' && (
              <button
                type="button"
                onClick={() => {
                  setAcking(a);
                  setComment('');
                }}
              >
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      <Dialog title="Acknowledge alert" open={!!acking} onClose={() => setAcking(null)}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (!acking) return;
            try {
              await api('POST', `/alerts/${acking.id}/ack`, { comment });
              setAcking(null);
              if (all) setHistory((await api('GET', '/alerts?state=all', undefined, alertList)).alerts);
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          <p>{acking?.message}</p>
          <label>
            Comment (what you did or know)
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} required />
          </label>
          <div className="buttons">
            <button type="submit" className="primary" disabled={!comment.trim()}>
              Acknowledge
            </button>
            <button type="button" onClick={() => setAcking(null)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}
