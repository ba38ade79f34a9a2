import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('serving the built web UI', () => {
  const web = makeTempDir('switchyard-web-');
  let t: TestApp;
  beforeAll(async () => {
    mkdirSync(join(web.path, 'assets'));
    writeFileSync(join(web.path, 'index.html'), '<!doctype html><title>Switchyard</title><div id="root"></div>');
    writeFileSync(join(web.path, 'assets', 'app.js'), 'console.log("ui")');
    t = await startTestApp({ SWITCHYARD_WEB_DIR: web.path });
  });
  afterAll(async () => {
    await t.close();
    web.cleanup();
  });

  it('serves index.html at /', async () => {
    const response = await t.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<title>Switchyard</title>');
  });

  it('serves assets', async () => {
    const response = await t.app.inject({ url: '/assets/app.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('console.log("ui")');
  });

  it('answers a browser reload of a UI route with index.html', async () => {
    const response = await t.app.inject({ url: '/pairs/db-pair', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="root">');
  });

  it('keeps the JSON 404 for API paths and missing assets', async () => {
    for (const url of ['/api/v1/nope', '/assets/missing.js']) {
      const response = await t.app.inject({ url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('never serves a file outside the web folder', async () => {
    for (const url of ['/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body).not.toContain('"name": "switchyard"');
      expect(response.body).not.toContain('root:');
    }
  });
});

describe('without a web build', () => {
  it('still runs and says how to build the UI', async () => {
    const t = await startTestApp();
    const response = await t.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('npm run build');
    await t.close();
  });
});

describe('the one error shape', () => {
  it('answers malformed JSON with 400 INVALID_JSON, not a 500', async () => {
    const t = await startTestApp({}, { setup: (app) => app.post('/test/echo', async (request) => request.body) });
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'INVALID_JSON' });
    await t.close();
  });

  it('answers a body that fails its zod schema with 400 naming the field', async () => {
    const t = await startTestApp(
      {},
      {
        setup: (app) =>
          app
            .withTypeProvider<ZodTypeProvider>()
            .post(
              '/test/pairs',
              { schema: { body: z.object({ name: z.string().min(1), weight: z.number().int().max(100) }) } },
              async (request) => request.body,
            ),
      },
    );
    const response = await t.app.inject({ method: 'POST', url: '/test/pairs', payload: { name: 'db', weight: 500 } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(body.message).toMatch(/^invalid body: body\.weight: /);
    expect(body.details).toEqual([{ field: 'body.weight', message: expect.stringContaining('100') }]);
    await t.close();
  });

  it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
    const t = await startTestApp(
      {},
      {
        setup: (app) =>
          app.get('/test/boom', async () => {
            throw new Error('secret detail: password=hunter2');
          }),
      },
    );
    const response = await t.app.inject({ url: '/test/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL',
      message: 'internal error; the server log has the details',
    });
    expect(response.body).not.toContain('hunter2');
    await t.close();
  });
});
