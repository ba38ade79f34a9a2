import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The one seam for time: domain code gets `now` as an argument; I/O code asks app.clock. */
export interface Clock {
  /** milliseconds since the Unix epoch */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Timers run before the event loop reads sockets. A timer that fires this
 * much past its time means the server itself was not running (GC, a slow
 * disk under SQLite's synchronous writes, CPU starvation): frames that
 * arrived meanwhile are still unread, and silence nobody listened to is no
 * evidence.
 */
export const STALL_TOLERANCE_MS = 100;

/**
 * For a deadline timer: runs `judge` now, or, when the timer fired more than
 * `toleranceMs` after `dueAt`, once the sockets have been read (setImmediate
 * runs after the poll phase).
 */
export function judgeAfterPendingFrames(
  clock: Clock,
  dueAt: number,
  judge: () => void,
  toleranceMs = STALL_TOLERANCE_MS,
): void {
  if (clock.now() - dueAt > toleranceMs) setImmediate(judge);
  else judge();
}

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
