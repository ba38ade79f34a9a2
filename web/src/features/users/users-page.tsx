import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { apiTokenView, userView } from '../../../../server/contract/auth.ts';
import { Badge, Dialog, ErrorMessage } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { useTitle } from '../../lib/router.ts';
import { clock } from '../../lib/time.ts';
import { useCan, useSession } from '../auth/session.tsx';

const users = z.object({ users: z.array(userView) });
const tokens = z.object({ tokens: z.array(apiTokenView) });
type User = z.infer<typeof userView>;
type Role = User['role'];

/** Users and roles (admins), and everyone's own personal API tokens. */
export function UsersPage() {
  useTitle('Users and tokens');
  const can = useCan();
  return (
    <section aria-labelledby="users-title">
      <header className="page-head">
        <h1 id="users-title">{can('admin') ? 'Users and API tokens' : 'API tokens'}</h1>
      </header>
      {can('admin') && <Users />}
      <Tokens />
    </section>
  );
}

function Users() {
  const [list, setList] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<{ name: string; role: Role; password: string }>({
    name: '',
    role: 'viewer',
    password: '',
  });
  const load = useCallback(
    () =>
      api('GET', '/users', undefined, users)
        .then((r) => setList(r.users))
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const change = async (id: string, patch: Partial<{ role: Role; disabled: boolean }>) => {
    setError(null);
    try {
      await api('PATCH', `/users/${id}`, patch);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  async function add(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/users', form);
      setForm({ name: '', role: 'viewer', password: '' });
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.name}</th>
              <td>
                <label className="sr-only" htmlFor={`role-${u.id}`}>
                  Role of {u.name}
                </label>
                <select
                  id={`role-${u.id}`}
                  value={u.role}
                  onChange={(e) => change(u.id, { role: e.target.value as Role })}
                >
                  <option value="admin">admin</option>
                  <option value="operator">operator</option>
                  <option value="viewer">viewer</option>
                </select>
              </td>
              <td>
                {u.disabled ? <Badge tone="off">disabled</Badge> : <Badge tone="ok">enabled</Badge>}{' '}
                <button type="button" onClick={() => change(u.id, { disabled: !u.disabled })}>
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={add} className="card" aria-labelledby="new-user-title">
        <h2 id="new-user-title">New user</h2>
        <div className="row wrap">
          <label>
            Name
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
          </label>
          <label>
            Role
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              <option value="viewer">viewer</option>
              <option value="operator">operator</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <label>
            Password (12+ characters)
            <input
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
              required
            />
          </label>
        </div>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
    </>
  );
}

function Tokens() {
  const { user } = useSession();
  const [list, setList] = useState<z.infer<typeof apiTokenView>[]>([]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api('GET', '/tokens', undefined, tokens)
        .then((r) => setList(r.tokens))
        .catch((e) => setError(errorText(e))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section aria-labelledby="tokens-title" className="card">
      <h2 id="tokens-title">Personal API tokens</h2>
      <p className="muted">For the CLI and integrations: export SWITCHYARD_TOKEN=… They act as {user?.name}.</p>
      <ErrorMessage error={error} />
      <ul>
        {list.map((t) => (
          <li key={t.id}>
            {t.name}{' '}
            <span className="muted">
              ({t.user}, created {clock(t.createdAt)}, last used {clock(t.lastUsedAt)})
            </span>{' '}
            {t.revokedAt ? (
              <Badge tone="off">revoked</Badge>
            ) : (
              <button
                type="button"
                onClick={() => api('DELETE', `/tokens/${t.id}`).then(load, (e) => setError(errorText(e)))}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api<{ token: string }>('POST', '/tokens', { name });
            setShown(r.token);
            setName('');
            await load();
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit">Create token</button>
      </form>
      <Dialog title="Your new API token" open={!!shown} onClose={() => setShown(null)}>
        <p>Shown this once:</p>
        <pre className="token">{shown}</pre>
        <button type="button" onClick={() => setShown(null)}>
          Done
        </button>
      </Dialog>
    </section>
  );
}
