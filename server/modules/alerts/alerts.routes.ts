import createError from '@fastify/error';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { acknowledgeBody, alertIdParams, alertsQuery, alertView } from '../../contract/alerts.ts';
import { errorBody } from '../../contract/errors.ts';
import { alertList } from '../../contract/fleet.ts';
import { actorOf } from '../../plugins/actor.ts';

const AlertNotFoundError = createError('ALERT_NOT_FOUND', 'alert %s not found', 404);

/** The problem summary (open alerts) and acknowledgement with a comment. */
export default fp(
  async function alertRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['alerts'];

    app.get(
      '/alerts',
      {
        config: { role: 'viewer' },
        schema: { tags, querystring: alertsQuery, response: { 200: alertList } },
      },
      async (request) => ({ alerts: await app.alerts.list(request.query) }),
    );

    app.post(
      '/alerts/:id/ack',
      {
        config: { role: 'operator' },
        schema: { tags, params: alertIdParams, body: acknowledgeBody, response: { 200: alertView, 404: errorBody } },
      },
      async (request) => {
        const alert = await app.alerts.acknowledge(request.params.id, request.body.comment, actorOf(request));
        if (!alert) throw new AlertNotFoundError(request.params.id);
        return alert;
      },
    );
  },
  { name: 'alert-routes', dependencies: ['alerts', 'errors'], encapsulate: true },
);
