import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../server/config.ts';
import { DB_FILE_NAME } from '../../server/db/client.ts';
import { readMigrations } from '../../server/db/migrations.ts';
import { runServerToExit, startServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

function eventKinds(dataDir: string): string[] {
  const db = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
  try {
    return (db.prepare('SELECT kind FROM Event ORDER BY id').all() as { kind: string }[]).map((row) => row.kind);
  } finally {
    db.close();
  }
}

describe('the server as a process', () => {
  const temp = makeTempDir();
  const dataDir = join(temp.path, 'data');
  afterAll(() => temp.cleanup());

  it('creates the database on first start, answers /readyz, and stops cleanly on SIGTERM', async () => {
    const server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      expect(existsSync(join(dataDir, DB_FILE_NAME))).toBe(true);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(server.logs.find((l) => l.msg === 'database ready')).toMatchObject({
        applied: readMigrations(join(packageRoot, 'prisma/migrations')).map((m) => m.name),
      });
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    expect(server.logs.some((l) => l.msg === 'server stopped')).toBe(true);
    expect(server.stderr()).toBe('');
    expect(eventKinds(dataDir)).toEqual(['server.started', 'server.stopping']);
  });

  it('reuses the same database on a second start and stops on SIGINT', async () => {
    const server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(server.logs.find((l) => l.msg === 'database ready')).toMatchObject({
        applied: [],
        alreadyApplied: readMigrations(join(packageRoot, 'prisma/migrations')).length,
      });
    } finally {
      expect(await server.stop('SIGINT')).toBe(0);
    }
    expect(eventKinds(dataDir)).toEqual(['server.started', 'server.stopping', 'server.started', 'server.stopping']);
  });

  it('recreates the database when data/ is deleted', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const server = await startServerProcess({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(eventKinds(dataDir)).toEqual(['server.started', 'server.stopping']);
  });

  it('on an empty database prints a generated admin password once, to stderr, never to the log', async () => {
    const fresh = join(temp.path, 'fresh-admin');
    const first = await startServerProcess({ SWITCHYARD_DATA_DIR: fresh, SWITCHYARD_ADMIN_PASSWORD: '' });
    await first.stop();
    const password = /password: (\S+)/.exec(first.stderr())?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(first.logs)).not.toContain(password);
    const login = await startServerProcess({ SWITCHYARD_DATA_DIR: fresh, SWITCHYARD_ADMIN_PASSWORD: '' });
    try {
      const r = await fetch(`${login.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin', password }),
      });
      expect(r.status).toBe(200);
    } finally {
      await login.stop();
    }
    expect(login.stderr()).toBe('');
  });

  it('refuses PORT=abc with one clear line and a non-zero exit', async () => {
    const result = await runServerToExit({ PORT: 'abc', SWITCHYARD_DATA_DIR: join(temp.path, 'unused') });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'switchyard: invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")\n',
    );
    expect(result.stdout).toBe('');
    expect(existsSync(join(temp.path, 'unused'))).toBe(false);
  });

  it('says why when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await runServerToExit({ PORT: String(port), SWITCHYARD_DATA_DIR: join(temp.path, 'busy') });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchyard: cannot start: .*EADDRINUSE.*\n$/);
    } finally {
      blocker.close();
    }
  });
});
