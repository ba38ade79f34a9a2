import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createNodeBody, nodeIdParams, nodeList, nodeView, nodeWithToken } from '../../contract/nodes.ts';
import { NodeNotFoundError } from './nodes.errors.ts';

/** Operator routes for nodes (user authentication arrives with issue 6, in server/routes.ts). */
export default fp(
  async function nodeRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/nodes',
      {
        config: { role: 'admin' },
        schema: { tags: ['nodes'], body: createNodeBody, response: { 201: nodeWithToken } },
      },
      async (request, reply) => {
        const created = await app.nodes.create(request.body);
        // The token is in this body only; nothing on the way may keep a copy.
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
    );

    app.get(
      '/nodes',
      { config: { role: 'viewer' }, schema: { tags: ['nodes'], response: { 200: nodeList } } },
      async () => ({ nodes: await app.nodes.list() }),
    );

    app.get(
      '/nodes/:id',
      { config: { role: 'viewer' }, schema: { tags: ['nodes'], params: nodeIdParams, response: { 200: nodeView } } },
      async (request) => {
        const node = await app.nodes.get(request.params.id);
        if (!node) throw new NodeNotFoundError(request.params.id);
        return node;
      },
    );

    app.post(
      '/nodes/:id/token',
      {
        config: { role: 'admin' },
        schema: { tags: ['nodes'], params: nodeIdParams, response: { 200: nodeWithToken } },
      },
      async (request, reply) => {
        const rotated = await app.nodes.rotateToken(request.params.id);
        if (!rotated) throw new NodeNotFoundError(request.params.id);
        request.audit = { after: { node: rotated.node.name, token: 'rotated' } };
        return reply.header('cache-control', 'no-store').send(rotated);
      },
    );

    app.delete(
      '/nodes/:id/token',
      { config: { role: 'admin' }, schema: { tags: ['nodes'], params: nodeIdParams, response: { 200: nodeView } } },
      async (request) => {
        const node = await app.nodes.revokeToken(request.params.id);
        if (!node) throw new NodeNotFoundError(request.params.id);
        request.audit = { after: { node: node.name, token: 'revoked' } };
        return node;
      },
    );

    app.delete(
      '/nodes/:id',
      { config: { role: 'admin' }, schema: { tags: ['nodes'], params: nodeIdParams } },
      async (request, reply) => {
        const before = await app.nodes.get(request.params.id);
        if (!before || !(await app.nodes.remove(request.params.id))) throw new NodeNotFoundError(request.params.id);
        request.audit = {
          before: { id: before.id, name: before.name, address: before.address, labels: before.labels },
        };
        return reply.status(204).send();
      },
    );
  },
  { name: 'node-routes', dependencies: ['nodes', 'errors'], encapsulate: true },
);
