import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AGENT_CLOSE, heartbeatBody, MAX_AGENT_FRAME_BYTES } from '../../contract/agent-protocol.ts';
import { heartbeatAccepted, nodeIdParams } from '../../contract/nodes.ts';
import { bearerToken } from '../nodes/node-tokens.ts';
import { UnauthorizedError } from '../nodes/nodes.errors.ts';
import { closeReason } from './agent-sessions.ts';
import { serveAgentSocket } from './agent-socket.ts';

type AgentAuth = { ok: true; node: { id: string; name: string }; tokenHash: string } | { ok: false; reason: string };

/**
 * Agent-facing routes, authenticated by the node's token (never by a user):
 * the `/agent` WebSocket and the plain-HTTP heartbeat for nodes without Node.js.
 */
export default fp(
  async function agentRoutes(instance: FastifyInstance) {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    // The upgrade's verdict, from its preValidation hook to its socket handler.
    const upgradeAuth = new WeakMap<FastifyRequest, AgentAuth>();

    async function authenticate(request: FastifyRequest): Promise<AgentAuth> {
      const token = bearerToken(request.headers.authorization);
      if (!token) return { ok: false, reason: 'no "Authorization: Bearer <token>" header' };
      const node = await app.nodes.authenticate(token);
      if (!node) return { ok: false, reason: 'unknown or revoked token' };
      return { ok: true, node: { id: node.id, name: node.name }, tokenHash: node.tokenHash };
    }

    app.get(
      '/agent',
      {
        websocket: true,
        // The token is checked during the upgrade, so the socket handler below never awaits.
        preValidation: async (request) => {
          upgradeAuth.set(request, await authenticate(request));
        },
      },
      (socket, request) => {
        // @fastify/websocket has attached the socket's 'error' listener before calling us.
        let auth = upgradeAuth.get(request) ?? { ok: false, reason: 'not authenticated' };
        // The upgrade finished after an await: the token may have been revoked or rotated in between.
        if (auth.ok && !app.nodes.isCurrentToken(auth.node.id, auth.tokenHash)) {
          auth = { ok: false, reason: 'unknown or revoked token' };
        }
        if (!auth.ok) {
          request.log.warn({ ip: request.ip, reason: auth.reason }, 'agent connection refused');
          socket.close(AGENT_CLOSE.unauthorized, closeReason('UNAUTHORIZED', auth.reason));
          return;
        }
        serveAgentSocket(
          {
            sessions: app.agentSessions,
            hub: app.ingest,
            channel: app.agentChannel,
            clock: app.clock,
            limits: app.agentLimits,
          },
          socket,
          auth.node,
          request.log,
        );
      },
    );

    app.post(
      '/nodes/:id/heartbeat',
      {
        bodyLimit: MAX_AGENT_FRAME_BYTES,
        schema: { params: nodeIdParams, body: heartbeatBody, response: { 200: heartbeatAccepted } },
        // Authenticate before validating, so strangers learn nothing from validation errors.
        preValidation: async (request, reply) => {
          const auth = await authenticate(request);
          const { id } = request.params as { id?: string };
          if (!auth.ok || auth.node.id !== id) {
            reply.header('www-authenticate', 'Bearer');
            throw new UnauthorizedError(
              auth.ok ? 'this token belongs to another node' : `${auth.reason}; the token must be this node's`,
            );
          }
        },
      },
      async (request) => {
        const receivedAt = app.clock.now();
        app.ingest.heartbeat({ nodeId: request.params.id, receivedAt, body: request.body, via: 'http' });
        return { accepted: true as const, receivedAt: new Date(receivedAt).toISOString() };
      },
    );
  },
  { name: 'agent-routes', dependencies: ['agents', 'nodes', 'websocket', 'errors'], encapsulate: true },
);
