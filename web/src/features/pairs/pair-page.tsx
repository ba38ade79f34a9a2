import { useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import { eventPage } from '../../../../server/contract/fleet.ts';
import { drillView, type EventView, outcomeView, type PairView, pairView } from '../../../../server/contract/pairs.ts';
import { AppLink } from '../../components/app-link.tsx';
import { Badge, Dialog, ErrorMessage, StateBadge } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { rememberPair, useLive } from '../../lib/live.ts';
import { useTitle } from '../../lib/router.ts';
import { clock } from '../../lib/time.ts';
import { useNow } from '../../lib/use-now.ts';
import { useCan } from '../auth/session.tsx';
import { MembersTable } from './members.tsx';
import { SignalStrip } from './signal-strip.tsx';
import { ThresholdEditor } from './threshold-editor.tsx';

type Member = PairView['members'][number];

/** One pair: members, operator actions, thresholds, drill, and the explained timeline. */
export function PairPage({ id }: { id: string }) {
  const live = useLive();
  const now = useNow();
  const can = useCan();
  const [loaded, setLoaded] = useState<PairView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pair = live.pairs[id] ?? loaded;
  useTitle(pair?.name ?? 'Pair');

  useEffect(() => {
    api('GET', `/pairs/${id}`, undefined, pairView)
      .then((p) => {
        setLoaded(p);
        rememberPair(p);
      })
      .catch((e) => setError(errorText(e)));
  }, [id]);

  if (!pair) return <ErrorMessage error={error ?? null} />;
  return (
    <section aria-labelledby="pair-title">
      <header className="page-head">
        <h1 id="pair-title">Pair {pair.name}</h1>
        <StateBadge state={pair.display.state} kind={pair.display.kind} />
        <span>
          epoch {pair.epoch} ·{' '}
          {pair.autoFailover ? <Badge tone="ok">auto-failover on</Badge> : <Badge tone="warn">auto-failover off</Badge>}{' '}
          {pair.maintenance && <Badge tone="info">maintenance</Badge>}
        </span>
      </header>
      {pair.hold && <p className="hold">{pair.hold.explanation}</p>}
      {pair.switchover && (
        <p className="banner" role="status">
          {pair.switchover.kind} to {nameOf(pair, pair.switchover.to)} at step {pair.switchover.step} (epoch{' '}
          {pair.switchover.epoch})
        </p>
      )}
      <MembersTable pair={pair} live={live} now={now} />
      <Actions pair={pair} />
      <Drill pair={pair} />
      {can('admin') && <Thresholds pair={pair} />}
      {!can('admin') && (
        <details>
          <summary>Thresholds</summary>
          <ul>
            {(['active', 'passive'] as const).map((r) =>
              (['up', 'down', 'downHeartbeat'] as const).map((k) => (
                <li key={`${r}${k}`}>{`${r}: ${pair.detection[r][k]}`}</li>
              )),
            )}
          </ul>
        </details>
      )}
      <Timeline pair={pair} />
    </section>
  );
}

const nameOf = (p: PairView, nodeId: string | null) => p.members.find((m) => m.nodeId === nodeId)?.name ?? 'none';

function Actions({ pair }: { pair: PairView }) {
  const can = useCan();
  const [target, setTarget] = useState<Member | null>(null);
  const [reenable, setReenable] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!can('operator')) return null;

  async function act(method: string, path: string, body: unknown) {
    setError(null);
    setMessage(null);
    try {
      const r = await api(method, path, body, outcomeView);
      rememberPair(r.pair);
      setMessage(r.message);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  }

  const passives = pair.members.filter((m) => m.nodeId !== pair.activeNodeId);
  return (
    <section aria-labelledby="actions-title" className="card">
      <h2 id="actions-title">Actions</h2>
      <div className="buttons">
        {passives.map((m) => (
          <button key={m.nodeId} type="button" onClick={() => setTarget(m)} disabled={!!pair.switchover}>
            Switch over to {m.name}
          </button>
        ))}
        {pair.autoFailover ? (
          <button type="button" onClick={() => act('PUT', `/pairs/${pair.id}/auto-failover`, { enabled: false })}>
            Disable auto-failover
          </button>
        ) : (
          <button
            type="button"
            onClick={() =>
              pair.pendingFailoverAck
                ? setReenable(true)
                : act('PUT', `/pairs/${pair.id}/auto-failover`, { enabled: true })
            }
          >
            Enable auto-failover
          </button>
        )}
        <button
          type="button"
          onClick={() => act('PUT', `/pairs/${pair.id}/maintenance`, { enabled: !pair.maintenance })}
        >
          {pair.maintenance ? 'End maintenance' : 'Start maintenance'}
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      <ErrorMessage error={error} />
      <SwitchoverDialog pair={pair} target={target} onClose={() => setTarget(null)} act={act} />
      <ReenableDialog pair={pair} open={reenable} onClose={() => setReenable(false)} act={act} />
    </section>
  );
}

function SwitchoverDialog({
  pair,
  target,
  onClose,
  act,
}: {
  pair: PairView;
  target: Member | null;
  onClose: () => void;
  act: (m: string, p: string, b: unknown) => Promise<boolean>;
}) {
  const can = useCan();
  const [confirmation, setConfirmation] = useState('');
  const active = nameOf(pair, pair.activeNodeId);
  const upAndStable = target?.verdict === 'up' && target.stable;
  const forcing = !!target && !upAndStable;
  return (
    <Dialog title="Confirm switchover" open={!!target} onClose={onClose}>
      {target && (
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            const body = forcing ? { to: target.nodeId, force: true, confirmation } : { to: target.nodeId };
            if (await act('POST', `/pairs/${pair.id}/switchover`, body)) onClose();
          }}
        >
          <p>
            Make <strong>{target.name}</strong> active and <strong>{active}</strong> passive in pair {pair.name}?
          </p>
          {!target.preferred && pair.autoFailover && (
            <p className="warn-text">{target.name} is not the preferred node: auto-failover will be turned off.</p>
          )}
          {forcing &&
            (can('admin') ? (
              <label>
                {target.name} is not Up and stable. To force it, type its name
                <input value={confirmation} onChange={(e) => setConfirmation(e.target.value)} autoComplete="off" />
              </label>
            ) : (
              <p className="error-text">{target.name} is not Up and stable: only an admin can force this.</p>
            ))}
          <div className="buttons">
            <button
              type="submit"
              className="primary"
              disabled={forcing && (!can('admin') || confirmation !== target.name)}
            >
              Switch over to {target.name}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** Re-enabling after an automatic failover acknowledges its alert, with a reason (audited). */
function ReenableDialog({
  pair,
  open,
  onClose,
  act,
}: {
  pair: PairView;
  open: boolean;
  onClose: () => void;
  act: (m: string, p: string, b: unknown) => Promise<boolean>;
}) {
  const [reason, setReason] = useState('');
  return (
    <Dialog title="Re-enable auto-failover" open={open} onClose={onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (await act('PUT', `/pairs/${pair.id}/auto-failover`, { enabled: true, reason })) onClose();
        }}
      >
        <p>
          An automatic failover to {nameOf(pair, pair.pendingFailoverAck?.to ?? null)} happened at{' '}
          {clock(pair.pendingFailoverAck?.at ?? null)}. Re-enabling acknowledges it; if the preferred node is Up and
          stable, the pair fails back to it.
        </p>
        <SignalStrip pair={pair} />
        <label>
          Reason (recorded in the audit log)
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} required minLength={1} />
        </label>
        <div className="buttons">
          <button type="submit" className="primary" disabled={!reason.trim()}>
            Acknowledge and re-enable
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Drill({ pair }: { pair: PairView }) {
  const [result, setResult] = useState<z.infer<typeof drillView> | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="drill-title" className="card">
      <h2 id="drill-title">Drill</h2>
      <p className="muted">What would the manager do if a node failed now? Nothing is changed.</p>
      <div className="buttons">
        {pair.members.map((m) => (
          <button
            key={m.nodeId}
            type="button"
            onClick={() =>
              api('POST', `/pairs/${pair.id}/drill`, { node: m.nodeId }, drillView)
                .then((r) => {
                  setResult(r);
                  setError(null);
                })
                .catch((e) => setError(errorText(e)))
            }
          >
            What if {m.name} failed now?
          </button>
        ))}
      </div>
      <ErrorMessage error={error} />
      {result && (
        <div role="status" data-testid="drill-result">
          <p>
            <strong>{result.summary}</strong>
          </p>
          <ul>
            {result.explanation.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Thresholds({ pair }: { pair: PairView }) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="thresholds-title" className="card">
      <h2 id="thresholds-title">Thresholds</h2>
      <ThresholdEditor
        key={JSON.stringify(pair.profile)}
        value={pair.profile}
        saving={saving}
        onSave={async (profile) => {
          setSaving(true);
          setError(null);
          setSaved(false);
          try {
            rememberPair(await api('PATCH', `/pairs/${pair.id}`, { profile }, pairView));
            setSaved(true);
          } catch (e) {
            setError(errorText(e));
          } finally {
            setSaving(false);
          }
        }}
      />
      {saved && <p role="status">Thresholds saved.</p>}
      <ErrorMessage error={error} />
    </section>
  );
}

function Timeline({ pair }: { pair: PairView }) {
  const [events, setEvents] = useState<EventView[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (before?: number) =>
      api('GET', `/pairs/${pair.id}/events?limit=50${before ? `&before=${before}` : ''}`, undefined, eventPage)
        .then((page) => {
          setEvents((old) => (before ? [...old, ...page.events] : page.events));
          setNext(page.nextBefore);
        })
        .catch((e) => setError(errorText(e))),
    [pair.id],
  );
  // Reload the newest page whenever the pair changes (a new decision, signal or switchover step).
  // biome-ignore lint/correctness/useExhaustiveDependencies: pair.epoch and display are the triggers
  useEffect(() => {
    void load();
  }, [load, pair.epoch, pair.display.state, pair.hold?.explanation, pair.switchover?.step]);
  return (
    <section aria-labelledby="timeline-title" className="card">
      <h2 id="timeline-title">Timeline</h2>
      <ErrorMessage error={error} />
      <ol className="timeline">
        {events.map((e) => (
          <li key={e.id} className={`event kind-${e.kind}`}>
            <time dateTime={e.at}>{clock(e.at)}</time> <span className="kind">{e.kind}</span>
            {e.actor !== 'system' && <span className="muted"> by {e.actor}</span>}
            {typeof e.details.rule === 'string' && <span className="muted"> ({e.details.rule})</span>}
            <p>{e.message}</p>
          </li>
        ))}
      </ol>
      {next && (
        <button type="button" onClick={() => load(next)}>
          Older events
        </button>
      )}
      <p>
        <AppLink to="/">Back to all pairs</AppLink>
      </p>
    </section>
  );
}
