import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashNodeToken } from '../../server/modules/nodes/node-tokens.ts';
import { connectRawAgent, enrollNode } from '../helpers/agent-client.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

describe('node routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a node and returns its token once', async () => {
    const response = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/nodes',
      payload: { name: 'db-1', address: '10.0.0.11', labels: { site: 'paris' } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.token).toMatch(/^sya_[A-Za-z0-9_-]{43}$/);
    expect(body.node).toMatchObject({
      name: 'db-1',
      address: '10.0.0.11',
      labels: { site: 'paris' },
      connected: false,
      lastHeartbeat: null,
      agentVersion: null,
      token: { state: 'active', revokedAt: null },
    });

    const fetched = await injectAsAdmin(t.app, { url: `/api/v1/nodes/${body.node.id}` });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toEqual(body.node);
    // The token is shown once: no other answer carries it.
    expect(fetched.body).not.toContain(body.token);
    const list = await injectAsAdmin(t.app, { url: '/api/v1/nodes' });
    expect(list.body).not.toContain(body.token);
    expect(list.json().nodes.map((n: { name: string }) => n.name)).toContain('db-1');
  });

  it('stores only a hash of the token', async () => {
    const { node, token } = await enrollNode(t.app, 'hash-check');
    const row = await t.app.db.node.findUnique({ where: { id: node.id } });
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('answers 409 for a duplicate name', async () => {
    await enrollNode(t.app, 'dup');
    const response = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/nodes',
      payload: { name: 'dup', address: 'h' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'NODE_NAME_TAKEN', message: 'a node named dup already exists' });
  });

  it.each([
    [{ address: '10.0.0.1' }, 'body.name'],
    [{ name: '', address: '10.0.0.1' }, 'body.name'],
    [{ name: 'has space', address: '10.0.0.1' }, 'body.name'],
    [{ name: 'ok', address: 'http://x/' }, 'body.address'],
    [{ name: 'ok', address: '10.0.0.1', labels: { 'bad key!': 'v' } }, 'body.labels'],
    [{ name: 'ok', address: '10.0.0.1', colour: 'red' }, 'body'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const response = await injectAsAdmin(t.app, { method: 'POST', url: '/api/v1/nodes', payload });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.map((d: { field: string }) => d.field).join(' ')).toContain(field);
  });

  it('answers 400 for malformed JSON, never 500', async () => {
    const response = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/nodes',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_JSON');
  });

  it.each([
    ['GET', '/api/v1/nodes/nope'],
    ['POST', '/api/v1/nodes/nope/token'],
    ['DELETE', '/api/v1/nodes/nope/token'],
    ['DELETE', '/api/v1/nodes/nope'],
  ] as const)('%s %s answers 404 NODE_NOT_FOUND', async (method, url) => {
    const response = await injectAsAdmin(t.app, { method, url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, code: 'NODE_NOT_FOUND', message: 'node nope not found' });
  });

  it('rotates a token: the new one works, the old one is refused and its open socket closed with 4401', async () => {
    const { node, token: oldToken } = await enrollNode(t.app, 'rotate-me');
    const agent = await connectRawAgent(baseUrl(t.app), oldToken);
    agent.hello();
    await agent.waitForMessage((m) => m.type === 'welcome');

    const response = await injectAsAdmin(t.app, { method: 'POST', url: `/api/v1/nodes/${node.id}/token` });
    expect(response.statusCode).toBe(200);
    const { token: newToken } = response.json();
    expect(newToken).not.toBe(oldToken);
    expect(await agent.closed).toEqual({ code: 4401, reason: expect.stringContaining('TOKEN_ROTATED') });

    const stale = await connectRawAgent(baseUrl(t.app), oldToken);
    expect((await stale.closed).code).toBe(4401);
    const fresh = await connectRawAgent(baseUrl(t.app), newToken);
    fresh.hello();
    await fresh.waitForMessage((m) => m.type === 'welcome');
    await fresh.close();
  });

  it('revokes a token: the socket is closed with 4401 and the node shows the token revoked', async () => {
    const { node, token } = await enrollNode(t.app, 'revoke-me');
    const agent = await connectRawAgent(baseUrl(t.app), token);
    agent.hello();
    await agent.waitForMessage((m) => m.type === 'welcome');

    const response = await injectAsAdmin(t.app, { method: 'DELETE', url: `/api/v1/nodes/${node.id}/token` });
    expect(response.statusCode).toBe(200);
    expect(response.json().token).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    expect(await agent.closed).toEqual({ code: 4401, reason: expect.stringContaining('TOKEN_REVOKED') });
    await waitFor('the node to show disconnected', async () => {
      const view = (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();
      return view.connected === false;
    });
    const again = await connectRawAgent(baseUrl(t.app), token);
    expect((await again.closed).code).toBe(4401);
  });

  it('deletes a node and closes its agent', async () => {
    const { node, token } = await enrollNode(t.app, 'delete-me');
    const agent = await connectRawAgent(baseUrl(t.app), token);
    agent.hello();
    await agent.waitForMessage((m) => m.type === 'welcome');
    const response = await injectAsAdmin(t.app, { method: 'DELETE', url: `/api/v1/nodes/${node.id}` });
    expect(response.statusCode).toBe(204);
    expect(await agent.closed).toEqual({ code: 4401, reason: expect.stringContaining('NODE_DELETED') });
    expect((await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).statusCode).toBe(404);
  });
});

describe('token checks after a restart', () => {
  it('accepts the tokens enrolled before the restart, and still refuses revoked ones', async () => {
    const first = await startTestApp();
    const kept = await enrollNode(first.app, 'kept');
    const revoked = await enrollNode(first.app, 'revoked');
    await injectAsAdmin(first.app, { method: 'DELETE', url: `/api/v1/nodes/${revoked.node.id}/token` });
    await first.app.close();

    const second = await startTestApp({}, { listen: true, dir: first.dir });
    try {
      const ok = await connectRawAgent(baseUrl(second.app), kept.token);
      ok.hello();
      await ok.waitForMessage((m) => m.type === 'welcome');
      await ok.close();
      const refused = await connectRawAgent(baseUrl(second.app), revoked.token);
      expect((await refused.closed).code).toBe(4401);
    } finally {
      await second.close();
      first.cleanupDir();
    }
  });

  it('accepts a token written to the database by another path (read through on a miss)', async () => {
    const t = await startTestApp({}, { listen: true });
    try {
      const token = 'sya_written-straight-to-the-database-0000000000';
      await t.app.db.node.create({ data: { name: 'direct', address: 'h', tokenHash: hashNodeToken(token) } });
      const agent = await connectRawAgent(baseUrl(t.app), token);
      agent.hello();
      await agent.waitForMessage((m) => m.type === 'welcome');
      await agent.close();
    } finally {
      await t.close();
    }
  });
});
