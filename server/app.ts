import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Config, packageRoot } from './config.ts';
import agentsPlugin, { type AgentsOptions } from './modules/agents/index.ts';
import alertsPlugin, { type AlertsOptions } from './modules/alerts/index.ts';
import auditPlugin from './modules/audit/index.ts';
import authPlugin from './modules/auth/index.ts';
import destinationsPlugin from './modules/destinations/index.ts';
import type { OutboxOptions } from './modules/destinations/outbox.worker.ts';
import haPlugin, { type HaOptions } from './modules/ha/index.ts';
import healthRoutes from './modules/health/health.routes.ts';
import nodesPlugin from './modules/nodes/index.ts';
import pairsPlugin from './modules/pairs/index.ts';
import usersPlugin, { type UsersOptions } from './modules/users/index.ts';
import clockPlugin, { type Clock, systemClock } from './plugins/clock.ts';
import databasePlugin from './plugins/database.ts';
import errorsPlugin from './plugins/errors.ts';
import lifecyclePlugin from './plugins/lifecycle.ts';
import openapiPlugin from './plugins/openapi.ts';
import webPlugin from './plugins/web.ts';
import websocketPlugin from './plugins/websocket.ts';
import apiRoutes from './routes.ts';

export interface BuildAppOptions {
  config: Config;
  /** a pino logger options object, or false; defaults to the config's level */
  logger?: FastifyServerOptions['logger'];
  migrationsDir?: string;
  /** tests pass a controllable clock; defaults to the system clock */
  clock?: Clock;
  /** limits and timers of agent ingest; tests and the benchmark tune them */
  agents?: AgentsOptions;
  /** global brake and mass-failure settings of the HA manager */
  ha?: HaOptions;
  /** retry pacing of the alert outbox (tests make it fast) */
  outbox?: OutboxOptions;
  alerts?: AlertsOptions;
  /** where the first admin's generated password is shown (tests capture it) */
  announce?: UsersOptions['announce'];
}

const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

// Never log these; they carry credentials.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** The whole application as one plugin tree; main.ts and the tests both build it here. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } }
      : {}),
    logger: options.logger ?? { level: config.logLevel, redact: REDACTED_PATHS },
    bodyLimit: 1024 * 1024,
    // Switchyard sits beside production: a slow client must not hold a socket forever.
    requestTimeout: 30_000,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(clockPlugin, { clock: options.clock ?? systemClock });
  await app.register(errorsPlugin);
  await app.register(lifecyclePlugin);
  await app.register(databasePlugin, {
    dataDir: config.dataDir,
    ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
  });
  await app.register(websocketPlugin);
  await app.register(agentsPlugin, options.agents ?? {});
  await app.register(nodesPlugin);
  await app.register(haPlugin, options.ha ?? {});
  await app.register(pairsPlugin);
  await app.register(alertsPlugin, options.alerts ?? {});
  await app.register(destinationsPlugin, options.outbox ?? {});
  await app.register(authPlugin);
  await app.register(usersPlugin, {
    ...(config.adminPassword ? { adminPassword: config.adminPassword } : {}),
    ...(options.announce ? { announce: options.announce } : {}),
  });
  await app.register(auditPlugin);
  await app.register(healthRoutes);
  await app.register(openapiPlugin, { version: packageVersion });
  await app.register(apiRoutes);
  await app.register(webPlugin, { webDir: config.webDir });
  return app;
}
