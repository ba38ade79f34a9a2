import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { eventsRepository } from './modules/events/events.repository.ts';

// Boot only: configuration, the app, listen, and a graceful close on signals.
const loaded = loadConfig();
if (!loaded.ok) {
  process.stderr.write(`switchyard: ${loaded.message}\n`);
  process.exit(2);
}
const { config } = loaded;

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp({ config });
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: cannot start: ${reason}\n`);
  process.exit(1);
}

const events = eventsRepository(app.db);
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
await events.append({
  at: new Date(),
  kind: 'server.started',
  message: `server started, listening on port ${port}`,
  details: { host: config.host, port: port },
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight work');
  const timer = setTimeout(() => {
    app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting anyway');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  try {
    await events.append({ at: new Date(), kind: 'server.stopping', message: `server stopping on ${signal}` });
    await app.close();
    app.log.info('server stopped');
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
