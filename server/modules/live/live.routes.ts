import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../contract/live.ts';
import type { PairChange } from '../ha/ha-engine.ts';

const HEARTBEAT_SUMMARY_MS = 2000;
// A browser has nothing to say here; anything bigger than a ping is refused.
const MAX_INBOUND_BYTES = 1024;

/**
 * `/api/v1/live`: pushes pair, signal and alert changes to browsers, so the
 * dashboard updates without reload. A snapshot first, then changes.
 */
export default fp(
  async function liveRoutes(app: FastifyInstance) {
    const clients = new Set<WebSocket>();
    const send = (socket: WebSocket, message: LiveMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const broadcast = (message: LiveMessage) => {
      if (clients.size === 0) return;
      const frame = JSON.stringify(message);
      for (const socket of clients) if (socket.readyState === socket.OPEN) socket.send(frame);
    };
    const openAlerts = () => app.alerts.list({ state: 'open', limit: 500 });

    const onPair = (change: PairChange) => {
      if (clients.size === 0) return; // a pair's view is not free to build: only for someone watching
      const pair = app.pairs.get(change.pairId);
      if (pair) broadcast({ type: 'pair', pair });
      else broadcast({ type: 'pair-removed', pairId: change.pairId });
      if (change.alertsChanged && clients.size > 0) {
        openAlerts()
          .then((alerts) => broadcast({ type: 'alerts', alerts }))
          .catch((error: unknown) => app.log.warn({ err: error }, 'live: could not read open alerts'));
      }
    };
    const onSignal: Parameters<typeof app.haEvents.signal.add>[0] = (pairId, s) =>
      broadcast({
        type: 'signal',
        pairId,
        signal: {
          type: s.type,
          nodeId: s.nodeId,
          at: new Date(s.at).toISOString(),
          condition: s.condition,
          reason: s.reason,
        },
      });
    const onAlert = () => {
      openAlerts()
        .then((alerts) => broadcast({ type: 'alerts', alerts }))
        .catch((error: unknown) => app.log.warn({ err: error }, 'live: could not read open alerts'));
    };
    app.haEvents.pairChanged.add(onPair);
    app.haEvents.signal.add(onSignal);
    app.alertChanged.add(onAlert);

    const summary = setInterval(() => {
      if (clients.size === 0) return;
      const nodes = app.pairs.list().flatMap((p) =>
        p.members.map((m) => ({
          nodeId: m.nodeId,
          lastHeartbeatAt: m.lastHeartbeatAt,
          healthy: m.lastHealthy,
          connected: m.connected,
        })),
      );
      broadcast({ type: 'heartbeats', at: new Date(app.clock.now()).toISOString(), nodes });
    }, HEARTBEAT_SUMMARY_MS);
    summary.unref();

    app.addHook('onClose', async () => {
      clearInterval(summary);
      app.haEvents.pairChanged.delete(onPair);
      app.haEvents.signal.delete(onSignal);
      app.alertChanged.delete(onAlert);
    });

    app.get('/live', { websocket: true, config: { role: 'viewer' }, schema: { hide: true } }, (socket, request) => {
      // Listeners first: a reset before the snapshot must not crash anything.
      socket.on('error', (error) => request.log.info({ err: error }, 'live socket error'));
      socket.on('close', () => clients.delete(socket));
      socket.on('message', (data: Buffer) => {
        if (data.length > MAX_INBOUND_BYTES) socket.close(1009, 'MESSAGE_TOO_BIG: this socket only pushes');
      });
      clients.add(socket);
      openAlerts()
        .then((alerts) => send(socket, { type: 'snapshot', pairs: app.pairs.list(), alerts }))
        .catch((error: unknown) => {
          request.log.warn({ err: error }, 'live: snapshot failed');
          socket.close(1011, 'SNAPSHOT_FAILED');
        });
    });
  },
  { name: 'live-routes', dependencies: ['ha', 'pairs', 'alerts', 'websocket'], encapsulate: true },
);
