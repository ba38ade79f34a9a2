import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from '@fastify/type-provider-zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The OpenAPI document, generated from the same zod schemas the routes
 * validate with, at /api/v1/openapi.json, and a browsable reference at
 * /api/v1/docs. Registered before the routes so it sees them all.
 */
export default fp(
  async function openapiPlugin(app: FastifyInstance, options: { version: string }) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Switchyard API',
          version: options.version,
          description:
            'Keeps active/passive server pairs available. Every error answers { statusCode, error, code, message, details? }.',
        },
        tags: [
          { name: 'nodes', description: 'enrolment and the last heartbeat of each node' },
          { name: 'pairs', description: 'HA pairs, operator actions and the explained event timeline' },
          { name: 'alerts', description: 'the problem summary and acknowledgements' },
          { name: 'fleet', description: 'status and the global brake' },
        ],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });
    app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
