import { z } from 'zod';

/** Users, sessions and personal API tokens (SPEC §6, issue 6). */

export const role = z.enum(['admin', 'operator', 'viewer']);

export const userName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9._@-]{0,61}[a-z0-9])?$/i,
    'must be 1 to 63 letters, digits, ".", "_", "@" or "-", starting and ending with a letter or digit',
  );

export const password = z.string().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');

export const loginBody = z.strictObject({
  name: z.string().min(1, 'is required').max(100),
  password: z.string().min(1, 'is required').max(256),
});

export const userView = z.object({
  id: z.string(),
  name: z.string(),
  role,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

export const sessionView = z.object({
  user: userView,
  /** send it back as the x-csrf-token header on every write made with the session cookie */
  csrfToken: z.string(),
  expiresAt: z.string(),
});

/** "Who am I" for a browser: a session, or nobody (a 200 either way, so a first visit logs no error). */
export const whoAmI = z.union([sessionView, z.object({ user: z.null(), csrfToken: z.null(), expiresAt: z.null() })]);

export const createUserBody = z.strictObject({ name: userName, role, password });
export const updateUserBody = z
  .strictObject({ role: role.optional(), disabled: z.boolean().optional(), password: password.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one setting to change' });
export const changePasswordBody = z.strictObject({ current: z.string().min(1).max(256), password });
export const userIdParams = z.object({ id: z.string().min(1).max(100) });

export const apiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  user: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1, 'give the token a name').max(100),
});
export const tokenIdParams = z.object({ id: z.string().min(1).max(100) });
