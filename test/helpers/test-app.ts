import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BuildAppOptions, buildApp } from '../../server/app.ts';
import { type Config, parseConfig } from '../../server/config.ts';
import { TEST_ADMIN_PASSWORD } from './auth.ts';
import { makeTempDir } from './temp-dir.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  dir: string;
  close: () => Promise<void>;
  /** for tests that close the app themselves */
  cleanupDir: () => void;
}

/** The real app on a temporary SQLite file; pass `listen` to get a real port on loopback. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: {
    listen?: boolean;
    /** a fixed port, e.g. to restart a server where its agents expect it */
    port?: number;
    setup?: (app: FastifyInstance) => void;
    /** an existing folder to use instead of a fresh temporary one (the caller removes it) */
    dir?: string;
  } & Pick<BuildAppOptions, 'clock' | 'agents' | 'ha' | 'announce' | 'logger' | 'outbox' | 'alerts'> = {},
): Promise<TestApp> {
  const temp = options.dir ? { path: options.dir, cleanup: () => {} } : makeTempDir();
  const parsed = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SWITCHYARD_DATA_DIR: join(temp.path, 'data'),
    SWITCHYARD_WEB_DIR: join(temp.path, 'no-web-build'),
    SWITCHYARD_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const app = await buildApp({
    config: parsed.config,
    logger: options.logger ?? false,
    ...(options.announce ? { announce: options.announce } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.ha ? { ha: options.ha } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
    ...(options.alerts ? { alerts: options.alerts } : {}),
  });
  options.setup?.(app);
  if (options.listen || options.port !== undefined) await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  else await app.ready();
  return {
    app,
    config: parsed.config,
    dir: temp.path,
    close: async () => {
      await app.close();
      temp.cleanup();
    },
    cleanupDir: temp.cleanup,
  };
}

export function baseUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('app is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}
