import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('validates as OpenAPI 3 and documents every operator route', async () => {
    const response = await t.app.inject({ url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/alerts',
        '/api/v1/alerts/{id}/ack',
        '/api/v1/auth/login',
        '/api/v1/auth/logout',
        '/api/v1/auth/session',
        '/api/v1/me/password',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/brake',
        '/api/v1/brake/release',
        '/api/v1/destinations',
        '/api/v1/destinations/{id}',
        '/api/v1/destinations/{id}/deliveries',
        '/api/v1/destinations/{id}/test',
        '/api/v1/nodes',
        '/api/v1/nodes/{id}',
        '/api/v1/nodes/{id}/heartbeat',
        '/api/v1/nodes/{id}/token',
        '/api/v1/pairs',
        '/api/v1/pairs/{id}',
        '/api/v1/pairs/{id}/auto-failover',
        '/api/v1/pairs/{id}/drill',
        '/api/v1/pairs/{id}/events',
        '/api/v1/pairs/{id}/maintenance',
        '/api/v1/pairs/{id}/switchover',
        '/api/v1/status',
      ].sort(),
    );
    // request bodies come from the zod schemas the routes validate with
    const link = doc.paths['/api/v1/pairs'].post.requestBody.content['application/json'].schema;
    expect(link.required).toEqual(expect.arrayContaining(['name', 'primary', 'secondary']));
  });

  it('serves a browsable reference', async () => {
    const page = await t.app.inject({ url: '/api/v1/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });
});
