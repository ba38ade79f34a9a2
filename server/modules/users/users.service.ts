import createError from '@fastify/error';
import type { UserView } from '../../contract/auth.ts';
import type { PrismaClient } from '../../db/client.ts';
import { isRole, type Role } from '../../domain/auth/permissions.ts';
import type { Clock } from '../../plugins/clock.ts';
import { API_TOKEN_PREFIX, hashPassword, newSecret, sha256, verifyPassword } from '../auth/secrets.ts';

export const UserNotFoundError = createError('USER_NOT_FOUND', 'user %s not found', 404);
export const UserNameTakenError = createError('USER_NAME_TAKEN', 'a user named %s already exists', 409);
export const LastAdminError = createError('LAST_ADMIN', '%s', 409);
export const WrongPasswordError = createError('WRONG_PASSWORD', 'the current password is not right', 400);
export const TokenNotFoundError = createError('TOKEN_NOT_FOUND', 'token %s not found', 404);

type UserRow = { id: string; name: string; role: string; disabled: boolean; createdAt: Date };

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    name: row.name,
    role: isRole(row.role) ? row.role : 'viewer',
    disabled: row.disabled,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Users and their personal API tokens; the last enabled admin can never be lost. */
export function usersService(db: PrismaClient, clock: Clock) {
  async function enabledAdmins(exceptId?: string) {
    return db.user.count({ where: { role: 'admin', disabled: false, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  }

  return {
    async list() {
      return (await db.user.findMany({ orderBy: { name: 'asc' } })).map(userView);
    },

    async get(id: string) {
      const row = await db.user.findUnique({ where: { id } });
      return row ? userView(row) : null;
    },

    async create(body: { name: string; role: Role; password: string }) {
      if (await db.user.findUnique({ where: { name: body.name } })) throw new UserNameTakenError(body.name);
      const row = await db.user.create({
        data: { name: body.name, role: body.role, passwordHash: await hashPassword(body.password) },
      });
      return userView(row);
    },

    async update(id: string, patch: { role?: Role; disabled?: boolean; password?: string }) {
      const before = await db.user.findUnique({ where: { id } });
      if (!before) return null;
      const losesAdmin =
        before.role === 'admin' && !before.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled);
      if (losesAdmin && (await enabledAdmins(id)) === 0) {
        throw new LastAdminError(`${before.name} is the last enabled admin: make another admin first`);
      }
      const row = await db.user.update({
        where: { id },
        data: {
          ...(patch.role ? { role: patch.role } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
          ...(patch.password ? { passwordHash: await hashPassword(patch.password) } : {}),
        },
      });
      // A disabled user or a new password ends every session at once.
      if (patch.disabled || patch.password) await db.session.deleteMany({ where: { userId: id } });
      return { before: userView(before), after: userView(row) };
    },

    async remove(id: string) {
      const row = await db.user.findUnique({ where: { id } });
      if (!row) return null;
      if (row.role === 'admin' && !row.disabled && (await enabledAdmins(id)) === 0) {
        throw new LastAdminError(`${row.name} is the last enabled admin: make another admin first`);
      }
      await db.user.delete({ where: { id } });
      return userView(row);
    },

    async changeOwnPassword(userId: string, current: string, next: string) {
      const row = await db.user.findUnique({ where: { id: userId } });
      if (!row || !(await verifyPassword(current, row.passwordHash))) throw new WrongPasswordError();
      await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(next) } });
      await db.session.deleteMany({ where: { userId } });
    },

    /**
     * First start on an empty database: an admin, with SWITCHYARD_ADMIN_PASSWORD
     * or a random password the caller prints once. Returns null when users exist.
     */
    async bootstrapAdmin(password: string | undefined) {
      if ((await db.user.count()) > 0) return null;
      const chosen = password ?? newSecret().slice(0, 24);
      await db.user.create({ data: { name: 'admin', role: 'admin', passwordHash: await hashPassword(chosen) } });
      return { name: 'admin', password: chosen, generated: password === undefined };
    },

    // ---- personal API tokens ----

    async tokens(userId: string | null) {
      const rows = await db.apiToken.findMany({
        where: userId ? { userId } : {},
        include: { user: { select: { name: true } } },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map((t) => ({
        id: t.id,
        name: t.name,
        user: t.user.name,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      }));
    },

    /** The token is returned once; only its SHA-256 is kept. */
    async createToken(userId: string, name: string) {
      const token = newSecret(API_TOKEN_PREFIX);
      const row = await db.apiToken.create({
        data: { userId, name, tokenHash: sha256(token), createdAt: new Date(clock.now()) },
        include: { user: { select: { name: true } } },
      });
      return {
        token,
        view: {
          id: row.id,
          name: row.name,
          user: row.user.name,
          createdAt: row.createdAt.toISOString(),
          lastUsedAt: null,
          revokedAt: null,
        },
      };
    },

    /** Revokes a token of `userId` (or anyone's when `userId` is null, for admins). */
    async revokeToken(id: string, userId: string | null) {
      const row = await db.apiToken.findUnique({ where: { id } });
      if (!row || (userId && row.userId !== userId)) return null;
      const updated = await db.apiToken.update({
        where: { id },
        data: { revokedAt: row.revokedAt ?? new Date(clock.now()) },
        include: { user: { select: { name: true } } },
      });
      return {
        id: updated.id,
        name: updated.name,
        user: updated.user.name,
        createdAt: updated.createdAt.toISOString(),
        lastUsedAt: updated.lastUsedAt?.toISOString() ?? null,
        revokedAt: updated.revokedAt?.toISOString() ?? null,
      };
    },
  };
}

export type UsersService = ReturnType<typeof usersService>;
