import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * /healthz: the process answers (liveness). /readyz: the database answers and
 * the server is not shutting down (readiness, for load balancers).
 */
export default fp(
  async function healthRoutes(app: FastifyInstance) {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (request, reply) => {
      if (app.isClosing()) return reply.status(503).send({ status: 'unavailable', reason: 'shutting down' });
      try {
        await app.db.$queryRawUnsafe('SELECT 1');
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check: database did not answer');
        return reply.status(503).send({ status: 'unavailable', reason: 'database did not answer' });
      }
    });
  },
  { name: 'health-routes', dependencies: ['database', 'lifecycle'] },
);
