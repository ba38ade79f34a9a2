import fastifyCookie from '@fastify/cookie';
import createError from '@fastify/error';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { allows, type Requirement } from '../../domain/auth/permissions.ts';
import { type AuthService, authService, type Principal } from './auth.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
    /** onRequest hook of the operator API: who is asking, may they, and CSRF for cookie writes */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** the least role a route needs (SPEC §6); routes that say nothing need admin */
    role?: Requirement;
  }
}

export const SESSION_COOKIE = 'sy_session';
export const CSRF_HEADER = 'x-csrf-token';

const Unauthenticated = createError('UNAUTHENTICATED', '%s', 401);
const Forbidden = createError('FORBIDDEN', '%s', 403);
const CsrfFailed = createError('CSRF_TOKEN_INVALID', '%s', 403);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value : undefined;
}

/**
 * Authentication for the operator API: a session cookie (browsers) or a
 * personal API token as a bearer (CLI, integrations). Cookie writes need the
 * session's CSRF token in a header; WebSocket upgrades with a cookie must
 * come from our own origin.
 */
export default fp(
  async function authPlugin(app: FastifyInstance) {
    await app.register(fastifyCookie);
    await app.register(fastifyHelmet, {
      // The UI is served by us and talks only to us.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          connectSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // swagger-ui's page uses inline styles
          styleSrc: ["'self'", "'unsafe-inline'"],
          frameAncestors: ["'none'"],
        },
      },
      hsts: false,
    });
    const service = authService(app.db, app.clock);
    app.decorate('auth', service);
    app.decorateRequest('principal', null);

    app.decorate('authenticate', async (request: FastifyRequest, _reply: FastifyReply) => {
      const needed: Requirement = request.routeOptions.config?.role ?? 'admin';
      const bearer = bearerOf(request);
      const sessionCookie = request.cookies[SESSION_COOKIE];
      request.principal = await service.resolve({
        ...(bearer ? { bearer } : {}),
        ...(sessionCookie ? { sessionCookie } : {}),
      });
      if (needed === 'public') return;
      const who = request.principal;
      if (!who) {
        throw new Unauthenticated(
          bearer || sessionCookie
            ? 'your session or token is not valid (expired, revoked or unknown): log in again'
            : 'log in first: send a session cookie or an API token as "Authorization: Bearer <token>"',
        );
      }
      if (!allows(who.role, needed)) {
        throw new Forbidden(`the ${who.role} role cannot do this: it needs ${needed}`);
      }
      if (who.via === 'session') {
        const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
        if (upgrade) {
          const origin = request.headers.origin;
          const host = request.headers.host;
          if (origin && host && hostOf(origin) !== host) throw new CsrfFailed('cross-site WebSocket refused');
        } else if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== who.csrfToken) {
          throw new CsrfFailed(`send the session's CSRF token in the ${CSRF_HEADER} header`);
        }
      }
    });
  },
  { name: 'auth', dependencies: ['database', 'clock'] },
);
