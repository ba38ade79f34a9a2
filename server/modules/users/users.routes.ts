import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import {
  apiTokenView,
  changePasswordBody,
  createTokenBody,
  createUserBody,
  tokenIdParams,
  updateUserBody,
  userIdParams,
  userView,
} from '../../contract/auth.ts';
import { errorBody } from '../../contract/errors.ts';
import { TokenNotFoundError, UserNotFoundError } from './users.service.ts';

/** Users (admin only), one's own password, and personal API tokens. */
export default fp(
  async function userRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['users'];
    const me = (request: { principal: { userId: string } | null }) => request.principal?.userId ?? '';

    app.get(
      '/users',
      { config: { role: 'admin' }, schema: { tags, response: { 200: z.object({ users: z.array(userView) }) } } },
      async () => ({
        users: await app.users.list(),
      }),
    );

    app.post(
      '/users',
      {
        config: { role: 'admin' },
        schema: { tags, body: createUserBody, response: { 201: userView, 409: errorBody } },
      },
      async (request, reply) => {
        const user = await app.users.create(request.body);
        request.audit = { after: user };
        return reply.status(201).send(user);
      },
    );

    app.patch(
      '/users/:id',
      {
        config: { role: 'admin' },
        schema: {
          tags,
          params: userIdParams,
          body: updateUserBody,
          response: { 200: userView, 404: errorBody, 409: errorBody },
        },
      },
      async (request) => {
        const changed = await app.users.update(request.params.id, request.body);
        if (!changed) throw new UserNotFoundError(request.params.id);
        request.audit = { before: changed.before, after: changed.after };
        return changed.after;
      },
    );

    app.delete(
      '/users/:id',
      {
        config: { role: 'admin' },
        schema: { tags, params: userIdParams, response: { 204: z.null(), 404: errorBody, 409: errorBody } },
      },
      async (request, reply) => {
        const removed = await app.users.remove(request.params.id);
        if (!removed) throw new UserNotFoundError(request.params.id);
        request.audit = { before: removed };
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/me/password',
      {
        config: { role: 'viewer' },
        schema: { tags, body: changePasswordBody, response: { 204: z.null(), 400: errorBody } },
      },
      async (request, reply) => {
        await app.users.changeOwnPassword(me(request), request.body.current, request.body.password);
        return reply.status(204).send(null);
      },
    );

    // Personal API tokens: everyone manages their own; an admin sees and revokes all.
    const tokenTags = ['tokens'];
    app.get(
      '/tokens',
      {
        config: { role: 'viewer' },
        schema: { tags: tokenTags, response: { 200: z.object({ tokens: z.array(apiTokenView) }) } },
      },
      async (request) => ({ tokens: await app.users.tokens(request.principal?.role === 'admin' ? null : me(request)) }),
    );

    app.post(
      '/tokens',
      {
        config: { role: 'viewer' },
        schema: {
          tags: tokenTags,
          body: createTokenBody,
          response: { 201: z.object({ token: z.string(), apiToken: apiTokenView }) },
        },
      },
      async (request, reply) => {
        const created = await app.users.createToken(me(request), request.body.name);
        request.audit = { after: created.view };
        // The token is in this body only; nothing on the way may keep a copy.
        return reply
          .status(201)
          .header('cache-control', 'no-store')
          .send({ token: created.token, apiToken: created.view });
      },
    );

    app.delete(
      '/tokens/:id',
      {
        config: { role: 'viewer' },
        schema: { tags: tokenTags, params: tokenIdParams, response: { 200: apiTokenView, 404: errorBody } },
      },
      async (request) => {
        const revoked = await app.users.revokeToken(
          request.params.id,
          request.principal?.role === 'admin' ? null : me(request),
        );
        if (!revoked) throw new TokenNotFoundError(request.params.id);
        request.audit = { after: revoked };
        return revoked;
      },
    );
  },
  { name: 'user-routes', dependencies: ['users', 'errors'], encapsulate: true },
);
