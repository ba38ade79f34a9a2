import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { pairsRepository } from './pairs.repository.ts';
import { type PairsService, pairsService } from './pairs.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    pairs: PairsService;
  }
}

/** Pairs as a service on the app; the routes are in pairs.routes.ts. */
export default fp(
  async function pairsPlugin(app: FastifyInstance) {
    app.decorate(
      'pairs',
      pairsService({
        db: app.db,
        repository: pairsRepository(app.db),
        engine: app.ha,
        hub: app.ingest,
        clock: app.clock,
      }),
    );
  },
  { name: 'pairs', dependencies: ['ha', 'database', 'agents', 'clock'] },
);
