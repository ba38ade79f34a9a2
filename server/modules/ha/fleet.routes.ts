import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { brakeView, statusView } from '../../contract/fleet.ts';
import { actorOf } from '../../plugins/actor.ts';

/** Fleet-wide: the global brake (SPEC rule 12) and a one-call status for the CLI and dashboards. */
export default fp(
  async function fleetRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['fleet'];

    app.get('/status', { config: { role: 'viewer' }, schema: { tags, response: { 200: statusView } } }, async () => {
      const fleet = app.ha.fleetView();
      return {
        pairs: app.pairs.list(),
        openAlerts: await app.alerts.countOpen(),
        brake: fleet.brake,
        fleet: { pairedNodes: fleet.pairedNodes, suspectNodes: fleet.suspectNodes },
      };
    });

    app.get(
      '/brake',
      { config: { role: 'viewer' }, schema: { tags, response: { 200: brakeView } } },
      async () => app.ha.fleetView().brake,
    );

    app.post(
      '/brake/release',
      { config: { role: 'admin' }, schema: { tags, response: { 200: brakeView } } },
      async (request) => {
        const actor = actorOf(request);
        const before = app.ha.fleetView().brake;
        await app.ha.releaseBrake();
        request.log.info({ actor: actor.name, before }, 'global brake released');
        await app.db.event.create({
          data: {
            at: new Date(app.clock.now()),
            kind: 'config',
            actor: actor.name,
            message: `global brake released by ${actor.name} (${before.autoSwitchoversInWindow} automatic switchovers in the window, ${before.engaged ? 'engaged' : 'not engaged'})`,
            details: JSON.stringify({ before }),
          },
        });
        return app.ha.fleetView().brake;
      },
    );
  },
  { name: 'fleet-routes', dependencies: ['ha', 'pairs', 'alerts', 'errors'], encapsulate: true },
);
