import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** true from the moment close() starts: readiness fails, keep-alive sockets are let go */
    isClosing: () => boolean;
  }
}

/**
 * Graceful shutdown helper. A response finished while the server closes says
 * `Connection: close`, so a keep-alive client cannot hold the close open
 * until its idle timeout.
 */
export default fp(
  async function lifecyclePlugin(app: FastifyInstance) {
    let closing = false;
    app.decorate('isClosing', () => closing);
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (closing) reply.header('connection', 'close');
      return payload;
    });
  },
  { name: 'lifecycle' },
);
