import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The one seam for time: domain code gets `now` as an argument; I/O code asks app.clock. */
export interface Clock {
  /** milliseconds since the Unix epoch */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock;
  }
}

export default fp<{ clock: Clock }>(
  async function clockPlugin(app: FastifyInstance, { clock }) {
    app.decorate('clock', clock);
  },
  { name: 'clock' },
);
