import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import { nodeList, nodeWithToken } from '../../../../server/contract/nodes.ts';
import { Badge, Dialog, Empty, ErrorMessage } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { useTitle } from '../../lib/router.ts';
import { ago } from '../../lib/time.ts';
import { useNow } from '../../lib/use-now.ts';
import { useCan } from '../auth/session.tsx';

type Node = z.infer<typeof nodeList>['nodes'][number];

/** Nodes: agent version, last heartbeat, component results; admins enrol nodes and rotate tokens. */
export function NodesPage() {
  useTitle('Nodes');
  const can = useCan();
  const now = useNow();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [confirmRotate, setConfirmRotate] = useState<Node | null>(null);
  const [form, setForm] = useState({ name: '', address: '' });

  const load = useCallback(
    () =>
      api('GET', '/nodes', undefined, nodeList)
        .then((r) => setNodes(r.nodes))
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const r = await api('POST', '/nodes', { ...form, labels: {} }, nodeWithToken);
      setShown({ name: r.node.name, token: r.token });
      setForm({ name: '', address: '' });
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <section aria-labelledby="nodes-title">
      <header className="page-head">
        <h1 id="nodes-title">Nodes</h1>
      </header>
      <ErrorMessage error={error} />
      {nodes.length === 0 && <Empty>No nodes enrolled.</Empty>}
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Agent</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Components</th>
            {can('admin') && <th scope="col">Token</th>}
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id}>
              <th scope="row">
                {n.name}
                <div className="muted">{n.address}</div>
              </th>
              <td>
                {n.connected ? <Badge tone="ok">connected</Badge> : <Badge tone="off">disconnected</Badge>}
                <div className="muted">{n.agentVersion ?? 'no agent yet'}</div>
              </td>
              <td>
                {ago(n.lastHeartbeat?.receivedAt ?? null, now)}
                {n.lastHeartbeat && (n.lastHeartbeat.healthy ? '' : <span className="error-text"> unhealthy</span>)}
              </td>
              <td>
                {(n.lastHeartbeat?.components ?? []).map((c) => (
                  <span key={c.name} title={c.detail ?? ''}>
                    <Badge tone={c.healthy ? 'ok' : 'bad'}>{c.name}</Badge>{' '}
                  </span>
                ))}
              </td>
              {can('admin') && (
                <td>
                  <span className="muted">{n.token.state}</span>{' '}
                  <button type="button" onClick={() => setConfirmRotate(n)}>
                    Rotate token
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {can('admin') && (
        <form onSubmit={add} className="card" aria-labelledby="add-node-title">
          <h2 id="add-node-title">Enrol a node</h2>
          <div className="row">
            <label>
              Name
              <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
            </label>
            <label>
              Address
              <input value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} required />
            </label>
          </div>
          <button type="submit" className="primary">
            Enrol
          </button>
        </form>
      )}
      <Dialog title="Rotate the node's token?" open={!!confirmRotate} onClose={() => setConfirmRotate(null)}>
        <p>The agent of {confirmRotate?.name} is disconnected at once and needs the new token in its config.</p>
        <div className="buttons">
          <button
            type="button"
            className="primary"
            onClick={async () => {
              const node = confirmRotate;
              setConfirmRotate(null);
              if (!node) return;
              try {
                const r = await api('POST', `/nodes/${node.id}/token`, undefined, nodeWithToken);
                setShown({ name: node.name, token: r.token });
                await load();
              } catch (e) {
                setError(errorText(e));
              }
            }}
          >
            Rotate
          </button>
          <button type="button" onClick={() => setConfirmRotate(null)}>
            Cancel
          </button>
        </div>
      </Dialog>
      <Dialog title="Agent token" open={!!shown} onClose={() => setShown(null)}>
        <p>
          The token of <strong>{shown?.name}</strong>, shown this once. Put it in the agent's token file:
        </p>
        <pre className="token">{shown?.token}</pre>
        <button type="button" onClick={() => setShown(null)}>
          Done
        </button>
      </Dialog>
    </section>
  );
}
