import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import {
  createDestinationBody,
  deliveryView,
  destinationIdParams,
  destinationView,
  updateDestinationBody,
} from '../../contract/destinations.ts';
import { errorBody } from '../../contract/errors.ts';
import { DestinationNotFoundError } from './destinations.service.ts';

const testResult = z.object({
  ok: z.boolean(),
  durationMs: z.number(),
  error: z.string().optional(),
  retryable: z.boolean().optional(),
  delivery: z.number(),
});

/** Alert destinations (admin), each with "send test" and its deliveries. */
export default fp(
  async function destinationRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['destinations'];
    const notFound = (id: string) => new DestinationNotFoundError(id);

    app.get(
      '/destinations',
      {
        config: { role: 'viewer' },
        schema: { tags, response: { 200: z.object({ destinations: z.array(destinationView) }) } },
      },
      async () => ({ destinations: await app.destinations.list() }),
    );

    app.post(
      '/destinations',
      {
        config: { role: 'admin' },
        schema: { tags, body: createDestinationBody, response: { 201: destinationView, 409: errorBody } },
      },
      async (request, reply) => {
        const created = await app.destinations.create(request.body);
        request.audit = { after: created };
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/destinations/:id',
      {
        config: { role: 'viewer' },
        schema: { tags, params: destinationIdParams, response: { 200: destinationView, 404: errorBody } },
      },
      async (request) => {
        const found = await app.destinations.get(request.params.id);
        if (!found) throw notFound(request.params.id);
        return found;
      },
    );

    app.patch(
      '/destinations/:id',
      {
        config: { role: 'admin' },
        schema: {
          tags,
          params: destinationIdParams,
          body: updateDestinationBody,
          response: { 200: destinationView, 400: errorBody, 404: errorBody, 409: errorBody },
        },
      },
      async (request) => {
        const changed = await app.destinations.update(request.params.id, request.body);
        if (!changed) throw notFound(request.params.id);
        request.audit = changed;
        return changed.after;
      },
    );

    app.delete(
      '/destinations/:id',
      {
        config: { role: 'admin' },
        schema: { tags, params: destinationIdParams, response: { 204: z.null(), 404: errorBody } },
      },
      async (request, reply) => {
        const removed = await app.destinations.remove(request.params.id);
        if (!removed) throw notFound(request.params.id);
        request.audit = { before: removed };
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/destinations/:id/test',
      {
        config: { role: 'admin' },
        schema: { tags, params: destinationIdParams, response: { 200: testResult, 404: errorBody } },
      },
      async (request) => {
        const result = await app.destinations.test(request.params.id, request.principal?.name ?? 'admin');
        if (!result) throw notFound(request.params.id);
        return result;
      },
    );

    app.get(
      '/destinations/:id/deliveries',
      {
        config: { role: 'viewer' },
        schema: {
          tags,
          params: destinationIdParams,
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
          response: { 200: z.object({ deliveries: z.array(deliveryView) }), 404: errorBody },
        },
      },
      async (request) => {
        const deliveries = await app.destinations.deliveries(request.params.id, request.query.limit);
        if (!deliveries) throw notFound(request.params.id);
        return { deliveries };
      },
    );
  },
  { name: 'destination-routes', dependencies: ['destinations', 'errors'], encapsulate: true },
);
