import type { FastifyInstance, InjectOptions } from 'fastify';

/** The first admin's password in every test app (startTestApp sets SWITCHYARD_ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = 'correct-horse-battery-staple';

const tokens = new WeakMap<FastifyInstance, Promise<string>>();

/** A personal API token of the bootstrap admin, made once per app through the real service. */
export function adminToken(app: FastifyInstance): Promise<string> {
  let token = tokens.get(app);
  if (!token) {
    token = (async () => {
      const admin = await app.db.user.findUniqueOrThrow({ where: { name: 'admin' } });
      return (await app.users.createToken(admin.id, 'tests')).token;
    })();
    tokens.set(app, token);
  }
  return token;
}

export async function adminHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await adminToken(app)}` };
}

/** app.inject as the admin. */
export async function injectAsAdmin(app: FastifyInstance, options: InjectOptions) {
  return app.inject({ ...options, headers: { ...(await adminHeaders(app)), ...(options.headers ?? {}) } });
}

/** A user of the given role with an API token, created through the real services. */
export async function userWithToken(app: FastifyInstance, name: string, role: 'admin' | 'operator' | 'viewer') {
  const user = await app.users.create({ name, role, password: `${name}-password-123` });
  const { token } = await app.users.createToken(user.id, `${name}-token`);
  return { user, token, headers: { authorization: `Bearer ${token}` } };
}

/** Logs in over HTTP and makes an API token with the session: what a person does before using the CLI. */
export async function loginToken(baseUrl: string, name = 'admin', password = TEST_ADMIN_PASSWORD): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (login.status !== 200) throw new Error(`login as ${name}: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'tests' }),
  });
  if (created.status !== 201) throw new Error(`token for ${name}: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}
