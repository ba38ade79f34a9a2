import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface WebOptions {
  webDir: string;
}

// Paths the UI's client-side router must never shadow.
const SERVER_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics'];

/**
 * Serves the built web UI. Unknown GET paths that accept HTML get index.html
 * so the UI's own routes survive a reload; API paths keep their JSON 404.
 */
export default fp<WebOptions>(
  async function webPlugin(app: FastifyInstance, { webDir }) {
    const index = join(webDir, 'index.html');
    if (!existsSync(index)) {
      app.log.warn({ webDir }, 'web UI not built: run `npm run build`; the API works without it');
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/plain').send('Switchyard is running. The web UI is not built: run `npm run build`.\n'),
      );
      return;
    }
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });

    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const wantsHtml = (request.headers.accept ?? '').includes('text/html');
      if (!wantsHtml || SERVER_PREFIXES.some((prefix) => path.startsWith(prefix)) || /\.[a-z0-9]+$/i.test(path)) {
        return reply.callNotFound();
      }
      return reply.sendFile('index.html');
    });
  },
  { name: 'web', dependencies: ['errors'] },
);
