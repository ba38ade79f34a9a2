import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { pairsRepository } from '../pairs/pairs.repository.ts';
import { alertsRepository } from './alerts.repository.ts';
import { type AlertsService, alertsService } from './alerts.service.ts';
import { LoggingCheck } from './logging-check.ts';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertsService;
    /** alerts changed outside the HA manager's decisions (acknowledgements, the logging check) */
    alertChanged: Set<() => void>;
  }
}

export interface AlertsOptions {
  /** how often the HA auto-failover logging check runs (seed 004: 10 s) */
  loggingCheckEveryMs?: number;
}

export default fp<AlertsOptions>(
  async function alertsPlugin(app: FastifyInstance, options) {
    const listeners = new Set<() => void>();
    const changed = () => {
      for (const l of listeners) l();
    };
    app.decorate('alertChanged', listeners);
    app.decorate(
      'alerts',
      alertsService({
        repository: alertsRepository(app.db),
        pairs: pairsRepository(app.db),
        engine: app.ha,
        clock: app.clock,
        onChange: changed,
      }),
    );
    const check = new LoggingCheck(app.db, alertsRepository(app.db), app.clock, changed, options.loggingCheckEveryMs);
    app.addHook('onReady', async () => check.start());
    app.addHook('preClose', async () => check.stop());
  },
  { name: 'alerts', dependencies: ['ha', 'database', 'clock'] },
);
