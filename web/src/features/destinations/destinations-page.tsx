import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { type DestinationView, destinationView } from '../../../../server/contract/destinations.ts';
import { Badge, Empty, ErrorMessage } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { useTitle } from '../../lib/router.ts';
import { clock } from '../../lib/time.ts';
import { useCan } from '../auth/session.tsx';

const list = z.object({ destinations: z.array(destinationView) });
type Kind = DestinationView['kind'];

/** Destinations of alerts, each with "send test" and its delivery status. */
export function DestinationsPage() {
  useTitle('Destinations');
  const can = useCan();
  const [items, setItems] = useState<DestinationView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tested, setTested] = useState<Record<string, string>>({});
  const load = useCallback(
    () =>
      api('GET', '/destinations', undefined, list)
        .then((r) => setItems(r.destinations))
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section aria-labelledby="dest-title">
      <header className="page-head">
        <h1 id="dest-title">Destinations</h1>
      </header>
      <ErrorMessage error={error} />
      {items.length === 0 && <Empty>No destinations: alerts show only in the problem summary.</Empty>}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Last delivery</th>
            <th scope="col">Queue</th>
            {can('admin') && <th scope="col">Test</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                {d.name} {!d.enabled && <Badge tone="off">disabled</Badge>}
              </th>
              <td>{d.kind}</td>
              <td>
                {d.lastDelivery ? (
                  <>
                    <Badge tone={d.lastDelivery.state === 'delivered' ? 'ok' : 'bad'}>{d.lastDelivery.state}</Badge>{' '}
                    {clock(d.lastDelivery.at)}
                    {d.lastDelivery.error && <div className="error-text">{d.lastDelivery.error}</div>}
                  </>
                ) : (
                  <span className="muted">nothing sent yet</span>
                )}
              </td>
              <td>
                {d.pending} pending, {d.failed} failed
              </td>
              {can('admin') && (
                <td>
                  <button
                    type="button"
                    onClick={async () => {
                      try {
                        const r = await api<{ ok: boolean; error?: string; durationMs: number }>(
                          'POST',
                          `/destinations/${d.id}/test`,
                        );
                        setTested((t) => ({
                          ...t,
                          [d.id]: r.ok ? `delivered in ${r.durationMs} ms` : `failed: ${r.error}`,
                        }));
                        await load();
                      } catch (e) {
                        setTested((t) => ({ ...t, [d.id]: errorText(e) }));
                      }
                    }}
                  >
                    Send test
                  </button>
                  {tested[d.id] && <div role="status">{tested[d.id]}</div>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {can('admin') && <NewDestination onCreated={load} />}
    </section>
  );
}

const FIELDS: Record<Kind, { key: string; label: string; type?: string; list?: boolean; number?: boolean }[]> = {
  webhook: [
    { key: 'url', label: 'URL' },
    { key: 'secret', label: 'Signing secret (16+ characters)', type: 'password' },
  ],
  email: [
    { key: 'host', label: 'SMTP host' },
    { key: 'port', label: 'Port', number: true },
    { key: 'from', label: 'From' },
    { key: 'to', label: 'To (comma separated)', list: true },
    { key: 'user', label: 'User (optional)' },
    { key: 'password', label: 'Password (optional)', type: 'password' },
  ],
  syslog: [
    { key: 'host', label: 'Host' },
    { key: 'port', label: 'Port', number: true },
    { key: 'transport', label: 'Transport (udp or tcp)' },
  ],
  snmp: [
    { key: 'host', label: 'Trap receiver host' },
    { key: 'port', label: 'Port', number: true },
    { key: 'community', label: 'Community (v2c)', type: 'password' },
  ],
};

function NewDestination({ onCreated }: { onCreated: () => void }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const config: Record<string, unknown> = kind === 'snmp' ? { version: 'v2c' } : {};
    for (const f of FIELDS[kind]) {
      const v = values[`${kind}.${f.key}`]?.trim();
      if (!v) continue;
      config[f.key] = f.number ? Number(v) : f.list ? v.split(',').map((x) => x.trim()) : v;
    }
    try {
      await api('POST', '/destinations', { name, kind, config });
      setName('');
      setValues({});
      onCreated();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <form onSubmit={submit} className="card" aria-labelledby="new-dest-title">
      <h2 id="new-dest-title">New destination</h2>
      <div className="row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="webhook">dispatch webhook</option>
            <option value="email">e-mail (SMTP)</option>
            <option value="syslog">syslog (RFC 5424)</option>
            <option value="snmp">SNMP trap (v2c; v3 through the API)</option>
          </select>
        </label>
      </div>
      <div className="row wrap">
        {FIELDS[kind].map((f) => (
          <label key={`${kind}.${f.key}`}>
            {f.label}
            <input
              type={f.type ?? 'text'}
              value={values[`${kind}.${f.key}`] ?? ''}
              onChange={(e) => setValues({ ...values, [`${kind}.${f.key}`]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="primary">
        Add destination
      </button>
    </form>
  );
}
