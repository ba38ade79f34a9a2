import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { dbFileIn } from '../../server/db/client.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('health endpoints on a real port', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('/healthz says the process is alive', async () => {
    t = await startTestApp({}, { listen: true });
    const response = await fetch(`${baseUrl(t.app)}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 once the database answers', async () => {
    t = await startTestApp({}, { listen: true });
    const response = await fetch(`${baseUrl(t.app)}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 naming the database when it does not answer', async () => {
    t = await startTestApp();
    // Fault injection on the database client (the route under test is real).
    Object.defineProperty(t.app.db, '$queryRawUnsafe', {
      value: () => Promise.reject(new Error('SQLITE_IOERR')),
    });
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', reason: 'database did not answer' });
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, then closes the database', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const t = await startTestApp(
      {},
      {
        listen: true,
        setup: (app) =>
          app.get('/test/slow', async () => {
            entered();
            await gate;
            return { done: true };
          }),
      },
    );
    const url = `${baseUrl(t.app)}/test/slow`;

    const inFlight = fetch(url).then(async (r) => ({ status: r.status, body: await r.json() }));
    await inside;
    let closed = false;
    const closing = t.app.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);

    // A new connection is refused while the old request is still running.
    const refused = await new Promise<string>((resolve) => {
      const req = request(url, () => resolve('answered'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');

    const wal = `${dbFileIn(t.config.dataDir)}-wal`;
    await t.app.db.event.count();
    expect(existsSync(wal)).toBe(true);
    release();
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    await closing;
    expect(closed).toBe(true);
    // SQLite removes the WAL file when the last connection closes cleanly.
    expect(existsSync(wal)).toBe(false);
    t.cleanupDir();
  });
});
