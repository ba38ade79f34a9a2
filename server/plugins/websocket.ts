import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AGENT_CLOSE, MAX_AGENT_FRAME_BYTES } from '../contract/agent-protocol.ts';

// How long clients get to answer our close frame at shutdown before their sockets are cut.
const CLOSE_GRACE_MS = 2000;

/**
 * WebSocket support for every socket route (agents now, browsers later).
 * Frames above MAX_AGENT_FRAME_BYTES are refused by `ws` itself with 1009.
 */
export default fp(
  async function websocketPlugin(app: FastifyInstance) {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: MAX_AGENT_FRAME_BYTES, perMessageDeflate: false },
      // A reset connection is routine (agents reboot); it must never take the process down.
      errorHandler(error, socket, request) {
        const code = (error as NodeJS.ErrnoException).code;
        request.log.info({ err: { message: error.message, code } }, 'agent socket error');
        // Protocol errors (oversized frame, bad opcode) are already closing with their code: let the close frame out.
        if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.terminate();
      },
      // Tell clients to come back later (1001) instead of a bare close, and do not wait on silent ones.
      async preClose() {
        // No new upgrades from keep-alive connections while we close.
        app.server.removeAllListeners('upgrade');
        const clients = [...app.websocketServer.clients];
        const closed = clients.map((client) =>
          client.readyState === client.CLOSED ? undefined : new Promise((resolve) => client.once('close', resolve)),
        );
        for (const client of clients) {
          client.close(AGENT_CLOSE.goingAway, 'SHUTTING_DOWN: server restarting; reconnect with backoff');
        }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(closed),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
        for (const client of clients) if (client.readyState !== client.CLOSED) client.terminate();
        await new Promise<void>((resolve) => app.websocketServer.close(() => resolve()));
      },
    });
  },
  { name: 'websocket' },
);
