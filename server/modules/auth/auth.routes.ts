import createError from '@fastify/error';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { loginBody, sessionView, whoAmI } from '../../contract/auth.ts';
import { errorBody } from '../../contract/errors.ts';
import { userView } from '../users/users.service.ts';
import { SESSION_COOKIE } from './index.ts';

const InvalidLogin = createError('INVALID_LOGIN', 'wrong user name or password', 401);
const LoginLocked = createError('LOGIN_LOCKED', 'too many failed logins: try again in %s s', 429);

/** Login, logout and "who am I" (with the CSRF token the UI sends back on writes). */
export default fp(
  async function authRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['auth'];
    const secure = app.server && 'setSecureContext' in app.server;

    app.post(
      '/auth/login',
      {
        config: { role: 'public' },
        schema: { tags, body: loginBody, response: { 200: sessionView, 401: errorBody, 429: errorBody } },
      },
      async (request, reply) => {
        const result = await app.auth.login(request.body.name, request.body.password, request.ip);
        await app.db.event.create({
          data: {
            at: new Date(app.clock.now()),
            kind: 'audit',
            actor: request.body.name.slice(0, 100),
            message: result.ok
              ? `${result.user.name} logged in from ${request.ip}`
              : `failed login for "${request.body.name.slice(0, 100)}" from ${request.ip}${result.reason === 'locked' ? ' (locked out)' : ''}`,
            details: JSON.stringify({ ip: request.ip, action: 'login', ok: result.ok }),
          },
        });
        if (!result.ok) {
          if (result.reason === 'locked') {
            const seconds = Math.ceil(result.retryAfterMs / 1000);
            reply.header('retry-after', String(seconds));
            throw new LoginLocked(String(seconds));
          }
          throw new InvalidLogin();
        }
        reply.setCookie(SESSION_COOKIE, result.sessionId, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
          expires: new Date(result.expiresAt),
        });
        const user = await app.db.user.findUniqueOrThrow({ where: { id: result.user.id } });
        return {
          user: userView(user),
          csrfToken: result.csrfToken,
          expiresAt: new Date(result.expiresAt).toISOString(),
        };
      },
    );

    app.post(
      '/auth/logout',
      { config: { role: 'viewer' }, schema: { tags, response: { 204: z.null() } } },
      async (request, reply) => {
        if (request.principal) await app.auth.logout(request.principal);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/session',
      { config: { role: 'public' }, schema: { tags, response: { 200: whoAmI } } },
      async (request) => {
        const who = request.principal;
        const session = who ? await app.auth.session(who) : null;
        if (!who || !session) return { user: null, csrfToken: null, expiresAt: null };
        const user = await app.db.user.findUniqueOrThrow({ where: { id: who.userId } });
        return { user: userView(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
      },
    );
  },
  { name: 'auth-routes', dependencies: ['auth', 'errors'], encapsulate: true },
);
