import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { adminHeaders, injectAsAdmin, TEST_ADMIN_PASSWORD, userWithToken } from '../helpers/auth.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';

type Who = 'anonymous' | 'viewer' | 'operator' | 'admin';
type Need = 'public' | 'viewer' | 'operator' | 'admin' | 'node-token';

/**
 * Every route of the API (the OpenAPI document lists them; the test fails if
 * one is missing here) with the least role it needs and a request whose
 * status is fixed once authorised.
 */
interface Row {
  method: string;
  path: string;
  need: Need;
  request: (ids: Ids) => InjectOptions;
  allowed: number;
}
interface Ids {
  pairId: string;
  nodeId: string;
}

const ROWS: Row[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    need: 'public',
    request: () => ({ payload: { name: 'nobody', password: 'wrong' } }),
    allowed: 401,
  },
  { method: 'POST', path: '/api/v1/auth/logout', need: 'viewer', request: () => ({}), allowed: 204 },
  // "who am I": a session, or nobody (an API token is not a session)
  { method: 'GET', path: '/api/v1/auth/session', need: 'public', request: () => ({}), allowed: 200 },
  {
    method: 'PUT',
    path: '/api/v1/me/password',
    need: 'viewer',
    request: () => ({ payload: { current: 'wrong', password: 'a-new-password-123' } }),
    allowed: 400,
  },
  { method: 'GET', path: '/api/v1/users', need: 'admin', request: () => ({}), allowed: 200 },
  { method: 'POST', path: '/api/v1/users', need: 'admin', request: () => ({ payload: { name: 'x' } }), allowed: 400 },
  {
    method: 'PATCH',
    path: '/api/v1/users/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/users/nope', payload: { role: 'viewer' } }),
    allowed: 404,
  },
  {
    method: 'DELETE',
    path: '/api/v1/users/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/users/nope' }),
    allowed: 404,
  },
  { method: 'GET', path: '/api/v1/tokens', need: 'viewer', request: () => ({}), allowed: 200 },
  { method: 'POST', path: '/api/v1/tokens', need: 'viewer', request: () => ({ payload: {} }), allowed: 400 },
  {
    method: 'DELETE',
    path: '/api/v1/tokens/{id}',
    need: 'viewer',
    request: () => ({ url: '/api/v1/tokens/nope' }),
    allowed: 404,
  },
  { method: 'GET', path: '/api/v1/nodes', need: 'viewer', request: () => ({}), allowed: 200 },
  { method: 'POST', path: '/api/v1/nodes', need: 'admin', request: () => ({ payload: { name: '' } }), allowed: 400 },
  {
    method: 'GET',
    path: '/api/v1/nodes/{id}',
    need: 'viewer',
    request: (i) => ({ url: `/api/v1/nodes/${i.nodeId}` }),
    allowed: 200,
  },
  {
    method: 'DELETE',
    path: '/api/v1/nodes/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/nodes/nope' }),
    allowed: 404,
  },
  {
    method: 'POST',
    path: '/api/v1/nodes/{id}/token',
    need: 'admin',
    request: () => ({ url: '/api/v1/nodes/nope/token' }),
    allowed: 404,
  },
  {
    method: 'DELETE',
    path: '/api/v1/nodes/{id}/token',
    need: 'admin',
    request: () => ({ url: '/api/v1/nodes/nope/token' }),
    allowed: 404,
  },
  // agents' own route: user credentials never count there
  {
    method: 'POST',
    path: '/api/v1/nodes/{id}/heartbeat',
    need: 'node-token',
    request: (i) => ({ url: `/api/v1/nodes/${i.nodeId}/heartbeat`, payload: {} }),
    allowed: 401,
  },
  { method: 'GET', path: '/api/v1/pairs', need: 'viewer', request: () => ({}), allowed: 200 },
  { method: 'POST', path: '/api/v1/pairs', need: 'admin', request: () => ({ payload: {} }), allowed: 400 },
  {
    method: 'GET',
    path: '/api/v1/pairs/{id}',
    need: 'viewer',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}` }),
    allowed: 200,
  },
  {
    method: 'PATCH',
    path: '/api/v1/pairs/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/pairs/nope', payload: { commandTimeoutMs: 5000 } }),
    allowed: 404,
  },
  {
    method: 'DELETE',
    path: '/api/v1/pairs/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/pairs/nope' }),
    allowed: 404,
  },
  // db-2 is not Up: the manager refuses, after authorisation
  {
    method: 'POST',
    path: '/api/v1/pairs/{id}/switchover',
    need: 'operator',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}/switchover`, payload: { to: 'sec-2' } }),
    allowed: 409,
  },
  {
    method: 'PUT',
    path: '/api/v1/pairs/{id}/auto-failover',
    need: 'operator',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}/auto-failover`, payload: { enabled: false } }),
    allowed: 200,
  },
  {
    method: 'PUT',
    path: '/api/v1/pairs/{id}/maintenance',
    need: 'operator',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}/maintenance`, payload: { enabled: false } }),
    allowed: 200,
  },
  {
    method: 'GET',
    path: '/api/v1/pairs/{id}/events',
    need: 'viewer',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}/events` }),
    allowed: 200,
  },
  {
    method: 'POST',
    path: '/api/v1/pairs/{id}/drill',
    need: 'viewer',
    request: (i) => ({ url: `/api/v1/pairs/${i.pairId}/drill`, payload: { node: 'sec-1' } }),
    allowed: 200,
  },
  { method: 'GET', path: '/api/v1/alerts', need: 'viewer', request: () => ({}), allowed: 200 },
  {
    method: 'POST',
    path: '/api/v1/alerts/{id}/ack',
    need: 'operator',
    request: () => ({ url: '/api/v1/alerts/999999/ack', payload: { comment: 'seen' } }),
    allowed: 404,
  },
  { method: 'GET', path: '/api/v1/destinations', need: 'viewer', request: () => ({}), allowed: 200 },
  {
    method: 'POST',
    path: '/api/v1/destinations',
    need: 'admin',
    request: () => ({ payload: { kind: 'webhook' } }),
    allowed: 400,
  },
  {
    method: 'GET',
    path: '/api/v1/destinations/{id}',
    need: 'viewer',
    request: () => ({ url: '/api/v1/destinations/nope' }),
    allowed: 404,
  },
  {
    method: 'PATCH',
    path: '/api/v1/destinations/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/destinations/nope', payload: { enabled: false } }),
    allowed: 404,
  },
  {
    method: 'DELETE',
    path: '/api/v1/destinations/{id}',
    need: 'admin',
    request: () => ({ url: '/api/v1/destinations/nope' }),
    allowed: 404,
  },
  {
    method: 'POST',
    path: '/api/v1/destinations/{id}/test',
    need: 'admin',
    request: () => ({ url: '/api/v1/destinations/nope/test' }),
    allowed: 404,
  },
  {
    method: 'GET',
    path: '/api/v1/destinations/{id}/deliveries',
    need: 'viewer',
    request: () => ({ url: '/api/v1/destinations/nope/deliveries' }),
    allowed: 404,
  },
  { method: 'GET', path: '/api/v1/status', need: 'viewer', request: () => ({}), allowed: 200 },
  { method: 'GET', path: '/api/v1/brake', need: 'viewer', request: () => ({}), allowed: 200 },
  { method: 'POST', path: '/api/v1/brake/release', need: 'admin', request: () => ({}), allowed: 200 },
];

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

function expected(row: Row, who: Who): number {
  if (row.need === 'public') return row.allowed;
  if (row.need === 'node-token') return 401;
  if (who === 'anonymous') return 401;
  return RANK[who] >= RANK[row.need] ? row.allowed : 403;
}

describe('who may do what (SPEC §6)', () => {
  let t: TestApp;
  const headers: Record<Who, Record<string, string>> = { anonymous: {}, viewer: {}, operator: {}, admin: {} };
  const ids: Ids = { pairId: '', nodeId: '' };
  const statuses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      {},
      { listen: true, setup: (app) => app.addHook('onResponse', async (_q, r) => void statuses.push(r.statusCode)) },
    );
    headers.admin = await adminHeaders(t.app);
    headers.operator = (await userWithToken(t.app, 'olga', 'operator')).headers;
    headers.viewer = (await userWithToken(t.app, 'victor', 'viewer')).headers;
    for (const name of ['sec-1', 'sec-2']) {
      const r = await injectAsAdmin(t.app, {
        method: 'POST',
        url: '/api/v1/nodes',
        payload: { name, address: '10.0.0.1' },
      });
      ids.nodeId = r.json().node.id;
    }
    const pair = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/pairs',
      payload: { name: 'sec', primary: 'sec-1', secondary: 'sec-2' },
    });
    ids.pairId = pair.json().id;
  });
  afterAll(async () => t.close());

  it('the table covers every route of the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(ROWS.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort());
  });

  for (const who of ['anonymous', 'viewer', 'operator', 'admin'] as const) {
    it(`every route answers ${who} with the exact status`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const row of ROWS) {
        const req = row.request(ids);
        const response = await t.app.inject({
          method: row.method as 'GET',
          url: req.url ?? row.path,
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
          headers: headers[who],
        });
        got.push(`${row.method} ${row.path} → ${response.statusCode}`);
        want.push(`${row.method} ${row.path} → ${expected(row, who)}`);
      }
      expect(got).toEqual(want);
    });
  }

  it('a viewer can read but never switch over, and is told why', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/pairs/${ids.pairId}/switchover`,
      headers: headers.viewer,
      payload: { to: 'sec-2', force: true, confirmation: 'sec-2' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'FORBIDDEN', message: 'the viewer role cannot do this: it needs operator' });
  });

  it('an operator cannot force a switchover: that takes an admin', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/pairs/${ids.pairId}/switchover`,
      headers: headers.operator,
      payload: { to: 'sec-2', force: true, confirmation: 'sec-2' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'FORCE_NEEDS_ADMIN' });
  });

  it('the live feed refuses anonymous upgrades and serves a viewer', async () => {
    const url = `${baseUrl(t.app).replace('http', 'ws')}/api/v1/live`;
    const status = (h: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers: h });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => {});
      });
    expect(await status({})).toBe(401);
    expect(await status(headers.viewer)).toBe(101);
  });

  it('no request in this file was ever answered with a 5xx', () => {
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});

describe('sessions, CSRF, throttling, tokens, headers, and logs without secrets', () => {
  let t: TestApp;
  let logs = '';
  let announced = '';

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs += chunk;
        done();
      },
    });
    // no SWITCHYARD_ADMIN_PASSWORD: the first admin's password is generated and shown once
    t = await startTestApp(
      { SWITCHYARD_ADMIN_PASSWORD: '' },
      {
        logger: { level: 'trace', stream },
        announce: (text) => {
          announced += text;
        },
      },
    );
  });
  afterAll(async () => t.close());

  const login = (name: string, password: string, ip = '203.0.113.7') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name, password }, remoteAddress: ip });

  function cookieOf(response: { headers: Record<string, unknown> }): string {
    const set = response.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : String(set ?? '');
    return first.split(';')[0] ?? '';
  }

  it('creates the first admin with a generated password, shown once, never logged', async () => {
    const password = /password: (\S+)/.exec(announced)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(20);
    const r = await login('admin', password);
    expect(r.statusCode).toBe(200);
    expect(logs).toContain('first admin created');
    expect(logs).not.toContain(password);
  });

  it('a session cookie is httpOnly and SameSite=Strict; writes need its CSRF token', async () => {
    const password = /password: (\S+)/.exec(announced)?.[1] ?? '';
    const r = await login('admin', password);
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(r);
    const csrf = r.json().csrfToken as string;

    const read = await t.app.inject({ url: '/api/v1/nodes', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/nodes',
      headers: { cookie },
      payload: { name: 'csrf-1', address: 'h' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'CSRF_TOKEN_INVALID' });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/nodes',
      headers: { cookie, 'x-csrf-token': 'nope' },
      payload: { name: 'csrf-1', address: 'h' },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/nodes',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'csrf-1', address: 'h' },
    });
    expect(ok.statusCode).toBe(201);
    const nodeToken = ok.json().token as string;

    const session = await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    expect(session.json()).toMatchObject({ user: { name: 'admin', role: 'admin' }, csrfToken: csrf });

    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/nodes', headers: { cookie } })).statusCode).toBe(401);

    expect(logs).not.toContain(cookie.split('=')[1]);
    expect(logs).not.toContain(csrf);
    expect(logs).not.toContain(nodeToken);
    const events = await t.app.db.event.findMany();
    expect(JSON.stringify(events)).not.toContain(nodeToken);
  });

  it('throttles brute force: locked after 5 failures, even the right password waits, with Retry-After', async () => {
    await t.app.users.create({ name: 'bruno', role: 'viewer', password: 'bruno-password-123' });
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await login('bruno', `guess-${i}`, '198.51.100.1')).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 429]);
    const locked = await login('bruno', 'bruno-password-123', '198.51.100.2');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'LOGIN_LOCKED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(logs).not.toContain('guess-3');
    expect(logs).not.toContain('bruno-password-123');
  });

  it('throttles one address spraying many names', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await login(`spray-${i}`, 'x', '192.0.2.99')).statusCode);
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('personal API tokens: shown once, hashed at rest, last-used time, revocable', async () => {
    const { user } = await userWithToken(t.app, 'tina', 'operator');
    const { token } = await t.app.users.createToken(user.id, 'cli');
    const stored = await t.app.db.apiToken.findMany({ where: { userId: user.id } });
    expect(JSON.stringify(stored)).not.toContain(token);
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/api/v1/pairs', headers: auth })).statusCode).toBe(200);
    const mine = (await t.app.inject({ url: '/api/v1/tokens', headers: auth })).json().tokens;
    const cli = mine.find((x: { name: string }) => x.name === 'cli');
    expect(cli.lastUsedAt).not.toBeNull();
    expect(mine.every((x: { user: string }) => x.user === 'tina')).toBe(true);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${cli.id}`, headers: auth });
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await t.app.inject({ url: '/api/v1/pairs', headers: auth })).statusCode).toBe(401);
    expect(logs).not.toContain(token);
  });

  it('a disabled user is out at once; the last admin cannot be demoted, disabled or deleted', async () => {
    const { user, headers } = await userWithToken(t.app, 'dora', 'viewer');
    const admin = await t.app.db.user.findUniqueOrThrow({ where: { name: 'admin' } });
    const { token } = await t.app.users.createToken(admin.id, 'admin-cli');
    const asAdmin = { authorization: `Bearer ${token}` };
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${user.id}`,
          headers: asAdmin,
          payload: { disabled: true },
        })
      ).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/pairs', headers })).statusCode).toBe(401);
    for (const payload of [{ role: 'viewer' }, { disabled: true }]) {
      const r = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${admin.id}`, headers: asAdmin, payload });
      expect(r.statusCode).toBe(409);
      expect(r.json().message).toBe('admin is the last enabled admin: make another admin first');
    }
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${admin.id}`, headers: asAdmin })).statusCode,
    ).toBe(409);
    // the change is audited with who, from where, before and after — and no password
    const audit = await t.app.db.event.findFirst({
      where: { kind: 'audit', message: { contains: `PATCH /api/v1/users/:id → 200` } },
    });
    const details = JSON.parse(audit?.details ?? '{}');
    expect(details).toMatchObject({
      ip: '127.0.0.1',
      before: { name: 'dora', disabled: false },
      after: { disabled: true },
    });
  });

  it('sends secure headers', async () => {
    const r = await t.app.inject({ url: '/healthz' });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('a wrong token type or a malformed header is a clean 401', async () => {
    for (const authorization of [
      'Bearer',
      'Basic abc',
      'Bearer sya_node-token-is-not-a-user',
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      const r = await t.app.inject({ url: '/api/v1/pairs', headers: { authorization } });
      expect(r.statusCode, authorization.slice(0, 30)).toBe(401);
    }
  });

  it('logs carry no password of the test admin either', () => {
    expect(logs).not.toContain(TEST_ADMIN_PASSWORD);
  });
});
