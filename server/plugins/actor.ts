import type { FastifyRequest } from 'fastify';
import type { ActorRole } from '../domain/ha/types.ts';

export interface Actor {
  name: string;
  role: ActorRole;
}

/**
 * Who is asking. Until users and sessions exist (issue 6) every API caller
 * acts as a local admin; this is the one place that changes then.
 */
export function actorOf(_request: FastifyRequest): Actor {
  return { name: 'local-admin', role: 'admin' };
}
