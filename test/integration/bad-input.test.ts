import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, injectAsAdmin } from '../helpers/auth.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';

// Hostile input on every write route: the answer is always a 4xx naming what is
// wrong, never a 5xx, and the server stays up and keeps its data.

const WRITE_ROUTES: { method: 'POST' | 'PUT' | 'PATCH'; url: (ids: { pair: string }) => string }[] = [
  { method: 'POST', url: () => '/api/v1/nodes' },
  { method: 'POST', url: () => '/api/v1/pairs' },
  { method: 'PATCH', url: (i) => `/api/v1/pairs/${i.pair}` },
  { method: 'POST', url: (i) => `/api/v1/pairs/${i.pair}/switchover` },
  { method: 'PUT', url: (i) => `/api/v1/pairs/${i.pair}/auto-failover` },
  { method: 'PUT', url: (i) => `/api/v1/pairs/${i.pair}/maintenance` },
  { method: 'POST', url: (i) => `/api/v1/pairs/${i.pair}/drill` },
  { method: 'POST', url: () => '/api/v1/alerts/1/ack' },
  { method: 'POST', url: () => '/api/v1/users' },
  { method: 'POST', url: () => '/api/v1/tokens' },
  { method: 'PUT', url: () => '/api/v1/me/password' },
  { method: 'POST', url: () => '/api/v1/auth/login' },
  { method: 'POST', url: () => '/api/v1/destinations' },
];

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const HOSTILE: { name: string; body: string | Buffer; contentType?: string; status: number[] }[] = [
  {
    name: 'wrong types',
    body: JSON.stringify({ name: 42, enabled: 'yes', to: [], comment: {}, role: null }),
    status: [400, 404, 409],
  },
  { name: 'malformed JSON', body: '{"name": ', status: [400] },
  { name: 'an empty body', body: '', status: [400] },
  { name: 'a JSON array', body: '[1,2,3]', status: [400, 404, 409] },
  { name: 'deeply nested arrays', body: deep(100_000), status: [400] },
  { name: 'deeply nested objects', body: deepObject(50_000), status: [400] },
  {
    name: 'invalid UTF-8',
    body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
    status: [400, 404, 409],
  },
  {
    name: 'SQL-ish strings',
    body: JSON.stringify({
      name: "x'; DROP TABLE Node;--",
      address: "1' OR '1'='1",
      to: "' OR 1=1 --",
      node: 'db"; --',
      comment: "'); DELETE FROM Alert; --",
      password: "' OR ''='",
    }),
    status: [400, 401, 404, 409],
  },
  {
    name: 'a body of another content type',
    body: 'name=x',
    contentType: 'application/x-www-form-urlencoded',
    status: [415],
  },
  {
    name: 'a prototype-polluting body',
    body: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
    status: [400, 404, 409],
  },
];

describe('hostile input on every write route', () => {
  let t: TestApp;
  let pair = '';
  const statuses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      {},
      { listen: true, setup: (app) => app.addHook('onResponse', async (_q, r) => void statuses.push(r.statusCode)) },
    );
    for (const name of ['bad-1', 'bad-2']) {
      await injectAsAdmin(t.app, { method: 'POST', url: '/api/v1/nodes', payload: { name, address: 'h' } });
    }
    pair = (
      await injectAsAdmin(t.app, {
        method: 'POST',
        url: '/api/v1/pairs',
        payload: { name: 'bad', primary: 'bad-1', secondary: 'bad-2' },
      })
    ).json().id;
  });
  afterAll(async () => t.close());

  for (const hostile of HOSTILE) {
    it(`answers ${hostile.name} with a clear 4xx on every route`, async () => {
      for (const route of WRITE_ROUTES) {
        const url = route.url({ pair });
        const response = await t.app.inject({
          method: route.method,
          url,
          headers: { ...(await adminHeaders(t.app)), 'content-type': hostile.contentType ?? 'application/json' },
          payload: hostile.body,
        });
        expect(
          hostile.status,
          `${route.method} ${url}: ${response.statusCode} ${response.body.slice(0, 200)}`,
        ).toContain(response.statusCode);
        const body = response.json();
        expect(body.code, `${route.method} ${url}`).toMatch(/^[A-Z_]+$/);
        expect(body.message.length, `${route.method} ${url}`).toBeGreaterThan(5);
      }
    });
  }

  it('refuses a body over the limit with 413 before reading it all', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const response = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/nodes',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('hostile query strings and ids are 400/404, never a 5xx', async () => {
    const urls = [
      `/api/v1/pairs/${pair}/events?limit=1e9`,
      `/api/v1/pairs/${pair}/events?kind=' OR 1=1 --&node=%00`,
      `/api/v1/pairs/${pair}/events?before=-1`,
      '/api/v1/pairs/%00%ff',
      `/api/v1/pairs/${'a'.repeat(5000)}`,
      '/api/v1/alerts?limit=abc&state=all',
      '/api/v1/alerts?pair=%27%3B--',
      '/api/v1/nodes/..%2f..%2fetc%2fpasswd',
    ];
    for (const url of urls) {
      const response = await injectAsAdmin(t.app, { url });
      expect(response.statusCode, `${url}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
    }
    // the SQL-ish kind filter matched nothing and deleted nothing
    const filtered = await injectAsAdmin(t.app, {
      url: `/api/v1/pairs/${pair}/events?kind=${encodeURIComponent("' OR 1=1 --")}`,
    });
    expect(filtered.json().events).toEqual([]);
    expect((await injectAsAdmin(t.app, { url: '/api/v1/nodes' })).json().nodes).toHaveLength(2);
  });

  it('path traversal on static files never leaves the web folder', async () => {
    for (const path of [
      '/../package.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%5c..%5cpackage.json',
      '//etc/passwd',
    ]) {
      const response = await t.app.inject({ url: path, headers: { accept: 'text/html' } });
      expect(response.statusCode, path).toBeLessThan(500);
      expect(response.body, path).not.toContain('"name": "switchyard"');
      expect(response.body, path).not.toContain('root:x:');
    }
  });

  it('a raw request with a bad content-length or garbage is refused and the server stays up', async () => {
    const port = new URL(baseUrl(t.app)).port;
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/nodes',
          headers: { 'content-type': 'application/json', 'content-length': '10' },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        });
        req.on('error', (e) => resolve(`error ${e.message}`));
        req.end(text);
      });
    const answer = await raw('{"na');
    expect(answer).toMatch(/^(400|401|408) |^error /);
    expect((await fetch(`${baseUrl(t.app)}/healthz`)).status).toBe(200);
  });

  it('no request in this file was ever answered with a 5xx', () => {
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
