import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { errorBody } from '../../contract/errors.ts';
import { eventPage, pairList } from '../../contract/fleet.ts';
import {
  autoFailoverBody,
  createPairBody,
  drillBody,
  drillView,
  eventsQuery,
  maintenanceBody,
  outcomeView,
  pairIdParams,
  pairView,
  switchoverBody,
  updatePairBody,
} from '../../contract/pairs.ts';
import { actorOf } from '../../plugins/actor.ts';
import { PairNotFoundError } from './pairs.errors.ts';
import type { ActionResult } from './pairs.service.ts';

// The manager's refusal codes and the HTTP status each deserves.
const REFUSAL_STATUS: Record<string, number> = {
  FORBIDDEN: 403,
  FORCE_NEEDS_ADMIN: 403,
  NOT_A_MEMBER: 400,
  STORE_FAILED: 503,
};

/** A refused operator action is 409 (or 403/400) with the manager's reason; an accepted one is 200 with the pair. */
function answer(reply: FastifyReply, id: string, result: ActionResult | null) {
  if (!result) throw new PairNotFoundError(id);
  if (result.ok) return reply.send({ ok: true, message: result.message, pair: result.pair });
  const status = REFUSAL_STATUS[result.code ?? ''] ?? 409;
  return reply.status(status).send({
    statusCode: status,
    error:
      status === 403
        ? 'Forbidden'
        : status === 400
          ? 'Bad Request'
          : status === 503
            ? 'Service Unavailable'
            : 'Conflict',
    code: result.code ?? 'REFUSED',
    message: result.message,
  });
}

const refused = { 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody };

/** Operator routes for pairs (user authentication arrives with issue 6, in server/routes.ts). */
export default fp(
  async function pairRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['pairs'];

    app.get('/pairs', { config: { role: 'viewer' }, schema: { tags, response: { 200: pairList } } }, async () => ({
      pairs: app.pairs.list(),
    }));

    app.post(
      '/pairs',
      { config: { role: 'admin' }, schema: { tags, body: createPairBody, response: { 201: pairView, ...refused } } },
      async (request, reply) => reply.status(201).send(await app.pairs.link(request.body, actorOf(request))),
    );

    app.get(
      '/pairs/:id',
      {
        config: { role: 'viewer' },
        schema: { tags, params: pairIdParams, response: { 200: pairView, 404: errorBody } },
      },
      async (request) => {
        const pair = app.pairs.get(request.params.id);
        if (!pair) throw new PairNotFoundError(request.params.id);
        return pair;
      },
    );

    app.patch(
      '/pairs/:id',
      {
        config: { role: 'admin' },
        schema: { tags, params: pairIdParams, body: updatePairBody, response: { 200: pairView, ...refused } },
      },
      async (request) => {
        const pair = await app.pairs.update(request.params.id, request.body, actorOf(request));
        if (!pair) throw new PairNotFoundError(request.params.id);
        return pair;
      },
    );

    app.delete(
      '/pairs/:id',
      {
        config: { role: 'admin' },
        schema: { tags, params: pairIdParams, response: { 204: z.null(), 404: errorBody, 409: errorBody } },
      },
      async (request, reply) => {
        if (!(await app.pairs.remove(request.params.id, actorOf(request))))
          throw new PairNotFoundError(request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/pairs/:id/switchover',
      {
        config: { role: 'operator' },
        schema: { tags, params: pairIdParams, body: switchoverBody, response: { 200: outcomeView, ...refused } },
      },
      async (request, reply) =>
        answer(reply, request.params.id, await app.pairs.switchover(request.params.id, request.body, actorOf(request))),
    );

    app.put(
      '/pairs/:id/auto-failover',
      {
        config: { role: 'operator' },
        schema: { tags, params: pairIdParams, body: autoFailoverBody, response: { 200: outcomeView, ...refused } },
      },
      async (request, reply) =>
        answer(
          reply,
          request.params.id,
          await app.pairs.setAutoFailover(request.params.id, request.body, actorOf(request)),
        ),
    );

    app.put(
      '/pairs/:id/maintenance',
      {
        config: { role: 'operator' },
        schema: { tags, params: pairIdParams, body: maintenanceBody, response: { 200: outcomeView, ...refused } },
      },
      async (request, reply) =>
        answer(
          reply,
          request.params.id,
          await app.pairs.setMaintenance(request.params.id, request.body, actorOf(request)),
        ),
    );

    app.get(
      '/pairs/:id/events',
      {
        config: { role: 'viewer' },
        schema: {
          tags,
          params: pairIdParams,
          querystring: eventsQuery,
          response: {
            200: eventPage,
            404: errorBody,
          },
        },
      },
      async (request) => {
        const events = await app.pairs.events(request.params.id, request.query);
        if (!events) throw new PairNotFoundError(request.params.id);
        const last = events.at(-1);
        return { events, nextBefore: events.length === request.query.limit && last ? last.id : null };
      },
    );

    app.post(
      '/pairs/:id/drill',
      {
        config: { role: 'viewer' },
        schema: { tags, params: pairIdParams, body: drillBody, response: { 200: drillView, ...refused } },
      },
      async (request) => {
        const result = app.pairs.drill(request.params.id, request.body.node);
        if (!result) throw new PairNotFoundError(request.params.id);
        return result;
      },
    );
  },
  { name: 'pair-routes', dependencies: ['pairs', 'errors'], encapsulate: true },
);
