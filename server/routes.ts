import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import agentRoutes from './modules/agents/agents.routes.ts';
import alertRoutes from './modules/alerts/alerts.routes.ts';
import authRoutes from './modules/auth/auth.routes.ts';
import destinationRoutes from './modules/destinations/destinations.routes.ts';
import fleetRoutes from './modules/ha/fleet.routes.ts';
import liveRoutes from './modules/live/live.routes.ts';
import nodeRoutes from './modules/nodes/nodes.routes.ts';
import pairRoutes from './modules/pairs/pairs.routes.ts';
import userRoutes from './modules/users/users.routes.ts';

/**
 * Every `/api/v1` route, in one place, in two groups by who calls them:
 * operators (user authentication is added to that scope by issue 6) and
 * agents (authenticated by their node token inside agent-routes).
 */
export default fp(
  async function apiRoutes(app: FastifyInstance) {
    await app.register(
      async function operatorApi(operator) {
        // Who may do what (SPEC §6) is decided here, once, from each route's `config.role`.
        operator.addHook('onRequest', app.authenticate);
        operator.addHook('onResponse', app.auditWrite);
        await operator.register(authRoutes);
        await operator.register(userRoutes);
        await operator.register(nodeRoutes);
        await operator.register(pairRoutes);
        await operator.register(alertRoutes);
        await operator.register(destinationRoutes);
        await operator.register(fleetRoutes);
        await operator.register(liveRoutes);
      },
      { prefix: '/api/v1' },
    );
    await app.register(agentRoutes, { prefix: '/api/v1' });
  },
  {
    name: 'api-routes',
    dependencies: [
      'nodes',
      'agents',
      'websocket',
      'errors',
      'pairs',
      'alerts',
      'ha',
      'auth',
      'users',
      'audit',
      'destinations',
    ],
  },
);
