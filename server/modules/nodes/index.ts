import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { nodesRepository } from './nodes.repository.ts';
import { type NodesService, nodesService } from './nodes.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    nodes: NodesService;
  }
}

/** Node enrollment as a service on the app; the routes are in nodes.routes.ts. */
export default fp(
  async function nodesPlugin(app: FastifyInstance) {
    const service = nodesService({
      repository: nodesRepository(app.db),
      hub: app.ingest,
      sessions: app.agentSessions,
      clock: app.clock,
    });
    const tokens = await service.loadTokens();
    app.log.info({ tokens }, 'node tokens loaded');
    app.decorate('nodes', service);
  },
  { name: 'nodes', dependencies: ['database', 'clock', 'agents'] },
);
