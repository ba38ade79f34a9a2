import type { FastifyRequest } from 'fastify';
import type { ActorRole } from '../domain/ha/types.ts';

export interface Actor {
  name: string;
  role: ActorRole;
  ip: string;
}

/** Who is asking: the authenticated user (the operator API refuses anyone else before handlers run). */
export function actorOf(request: FastifyRequest): Actor {
  const who = request.principal;
  return { name: who?.name ?? 'anonymous', role: who?.role ?? 'viewer', ip: request.ip };
}
