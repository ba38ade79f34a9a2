import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type DestinationsService, destinationsService } from './destinations.service.ts';
import { type OutboxOptions, OutboxWorker, type SenderRegistry } from './outbox.worker.ts';
import { emailSender } from './senders/email.ts';
import { snmpSender } from './senders/snmp.ts';
import { syslogSender } from './senders/syslog.ts';
import { webhookSender } from './senders/webhook.ts';

declare module 'fastify' {
  interface FastifyInstance {
    destinations: DestinationsService;
    outbox: OutboxWorker;
  }
}

export const SENDERS: SenderRegistry = {
  webhook: webhookSender,
  email: emailSender,
  syslog: syslogSender,
  snmp: snmpSender,
};

/** Destinations and the outbox worker that delivers alerts to them, independent of the HA manager. */
export default fp<OutboxOptions>(
  async function destinationsPlugin(app: FastifyInstance, options) {
    const outbox = new OutboxWorker(app.db, app.clock, SENDERS, app.log.child({ module: 'outbox' }), options);
    app.decorate('outbox', outbox);
    app.decorate('destinations', destinationsService(app.db, app.clock, SENDERS));
    // New alert transitions are in the outbox the moment their decision commits: look at once.
    app.haEvents.pairChanged.add((change) => {
      if (change.alertsChanged) outbox.wake();
    });
    app.alertChanged.add(() => outbox.wake());
    app.addHook('onReady', async () => outbox.start());
    app.addHook('preClose', async () => outbox.stop());
  },
  { name: 'destinations', dependencies: ['database', 'clock', 'ha', 'alerts'] },
);
