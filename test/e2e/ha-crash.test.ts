import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../server/db/client.ts';
import { loginToken } from '../helpers/auth.ts';
import { activeName, type Cluster, startCluster } from '../helpers/ha-cluster.ts';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

// The server process is killed with SIGKILL while a failover is at each of its
// steps, then started again on the same port and data folder. The agents keep
// running their hooks and reconnect; the pair must end consistent, with one
// promotion for the epoch, and the events must tell the whole story.

function eventsInDb(dataDir: string) {
  const db = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
  try {
    return db.prepare('SELECT kind, message FROM Event WHERE pairId IS NOT NULL ORDER BY id').all() as {
      kind: string;
      message: string;
    }[];
  } finally {
    db.close();
  }
}

type Step = 'prepare' | 'demote' | 'promote';
const hookOf: Record<Step, { node: string; hook: 'prePromoteCheck' | 'demote' | 'promote' }> = {
  prepare: { node: 'db-2', hook: 'prePromoteCheck' },
  demote: { node: 'db-1', hook: 'demote' },
  promote: { node: 'db-2', hook: 'promote' },
};

describe('the server killed in the middle of a failover', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: ServerProcess | undefined;
  let cluster: Cluster | undefined;

  afterEach(async () => {
    await cluster?.stopAll();
    await server?.stop('SIGKILL');
    temp?.cleanup();
  });

  it.each<Step>(['prepare', 'demote', 'promote'])(
    'after the intent is stored and the %s command is out: restart → resumed, consistent, one promotion',
    async (step) => {
      temp = makeTempDir();
      const dataDir = join(temp.path, 'data');
      const port = await freePort();
      const env = { SWITCHYARD_DATA_DIR: dataDir, PORT: String(port) };
      server = await startServerProcess(env);
      const { node, hook } = hookOf[step];
      cluster = await startCluster({
        baseUrl: server.url,
        token: await loginToken(server.url),
        dir: temp.path,
        autoFailover: true,
        // the hook of the step under test takes 2 s: the server dies while it runs
        slowHooks: { [node]: { [hook]: 'sleep 2' } },
      });
      const c = cluster;
      await c.waitForPair('both Up', (p) => p.display.state === 'normal');

      // db-1's critical component fails while its agent stays connected: failover with a demote step
      c.makeSick('db-1', true);
      await waitFor(`the ${hook} hook of ${node} running`, () =>
        c.hooks().find((h) => h.node === node && h.hook === hook && h.phase === 'start' && h.epoch === 1),
      );
      expect(await server.stop('SIGKILL')).toBeNull();

      server = await startServerProcess(env);
      const done = await c.waitForPair(
        'the failover finished',
        (p) => activeName(p) === 'db-2' && !p.switchover,
        30_000,
      );
      expect(done).toMatchObject({ epoch: 1, autoFailover: false });

      const promotes = c.hooks().filter((h) => h.hook === 'promote' && h.phase === 'start');
      expect(promotes).toEqual([{ node: 'db-2', hook: 'promote', epoch: 1, phase: 'start' }]);
      expect(c.hooks().filter((h) => h.node === 'db-1' && h.hook === 'promote')).toEqual([]);

      const story = eventsInDb(dataDir);
      const kinds = story.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'decision')).toHaveLength(1);
      expect(
        story.some(
          (e) =>
            e.kind === 'restart' && e.message.startsWith(`server restarted during failover to db-2 at step ${step}`),
        ),
      ).toBe(true);
      expect(kinds.indexOf('decision')).toBeLessThan(kinds.indexOf('restart'));
      expect(kinds.lastIndexOf('switchover-completed')).toBeGreaterThan(kinds.indexOf('restart'));
    },
    90_000,
  );
});
