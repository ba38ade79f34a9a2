import createError from '@fastify/error';

// Stable codes of the one error body (server/contract/errors.ts).
export const PairNotFoundError = createError('PAIR_NOT_FOUND', 'pair %s not found', 404);
export const PairNameTakenError = createError('PAIR_NAME_TAKEN', '%s', 409);
export const NodeAlreadyPairedError = createError('NODE_ALREADY_PAIRED', '%s', 409);
export const PairNodeNotFoundError = createError('NODE_NOT_FOUND', '%s', 400);
export const NotAMemberError = createError('NOT_A_MEMBER', '%s', 400);
export const PreferredChangeError = createError('PREFERRED_NODE_WOULD_CHANGE', '%s', 409);
export const SwitchoverBusyError = createError('SWITCHOVER_IN_PROGRESS', '%s', 409);
