import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** what a handler changed, for the audit event: before and after */
    audit: { before?: unknown; after?: unknown } | null;
  }
  interface FastifyInstance {
    /** onResponse hook of the operator API: every write becomes an audit event */
    auditWrite: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Never in an event: these carry credentials.
const SECRET_KEY = /pass(word)?|token|secret|current|cookie|authorization/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1),
      ]),
    );
  }
  return typeof value === 'string' && value.length > 500 ? `${value.slice(0, 500)}…` : value;
}

/**
 * Audit (issue 6): every write to the operator API — allowed or refused —
 * is an event with who, when, from where, what, and before/after when the
 * handler says. Secrets are redacted before anything is stored.
 */
export default fp(
  async function auditPlugin(app: FastifyInstance) {
    app.decorateRequest('audit', null);
    app.decorate('auditWrite', async (request: FastifyRequest, reply: FastifyReply) => {
      if (SAFE_METHODS.has(request.method) || request.headers.upgrade) return;
      const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
      if (route === '/api/v1/auth/login') return; // its own event, with the attempted name
      const params = (request.params ?? {}) as Record<string, string>;
      const pairId = route.startsWith('/api/v1/pairs/:id') ? (params.id ?? null) : null;
      const nodeId = route.startsWith('/api/v1/nodes/:id') ? (params.id ?? null) : null;
      const who = request.principal?.name ?? 'anonymous';
      const what = `${request.method} ${route}`;
      try {
        await app.db.event.create({
          data: {
            at: new Date(app.clock.now()),
            kind: 'audit',
            pairId: pairId && app.ha.pair(pairId) ? pairId : null,
            nodeId,
            actor: who,
            message: `${who} (${request.principal?.role ?? 'not logged in'}) from ${request.ip}: ${what} → ${reply.statusCode}`,
            details: JSON.stringify(
              redact({
                ip: request.ip,
                method: request.method,
                route,
                params,
                status: reply.statusCode,
                body: request.body ?? null,
                ...(request.audit ?? {}),
              }),
            ),
          },
        });
      } catch (error) {
        request.log.error({ err: error }, 'could not write the audit event');
      }
    });
  },
  { name: 'audit', dependencies: ['database', 'clock', 'ha'] },
);
