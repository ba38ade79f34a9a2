import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AlertView } from '../../contract/alerts.ts';
import { pairsRepository } from '../pairs/pairs.repository.ts';
import { alertsRepository } from './alerts.repository.ts';
import { type AlertsService, alertsService } from './alerts.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertsService;
    alertChanged: Set<(alert: AlertView) => void>;
  }
}

export default fp(
  async function alertsPlugin(app: FastifyInstance) {
    const listeners = new Set<(alert: AlertView) => void>();
    app.decorate('alertChanged', listeners);
    app.decorate(
      'alerts',
      alertsService({
        repository: alertsRepository(app.db),
        pairs: pairsRepository(app.db),
        engine: app.ha,
        clock: app.clock,
        onChange: (alert) => {
          for (const l of listeners) l(alert);
        },
      }),
    );
  },
  { name: 'alerts', dependencies: ['ha', 'database', 'clock'] },
);
