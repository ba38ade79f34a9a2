import createError from '@fastify/error';

// Stable codes of the one error body (server/contract/errors.ts).
export const NodeNotFoundError = createError('NODE_NOT_FOUND', 'node %s not found', 404);
export const NodeNameTakenError = createError('NODE_NAME_TAKEN', 'a node named %s already exists', 409);
export const UnauthorizedError = createError('UNAUTHORIZED', '%s', 401);
export const NodeInPairError = createError('NODE_IN_PAIR', 'node %s belongs to pair %s: delete the pair first', 409);
