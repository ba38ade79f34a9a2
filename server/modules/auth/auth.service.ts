import type { PrismaClient } from '../../db/client.ts';
import { isRole, type Role } from '../../domain/auth/permissions.ts';
import {
  ADDRESS_POLICY,
  emptyEntry,
  isIdle,
  recordFailure,
  retryAfter,
  type ThrottleEntry,
  USER_POLICY,
} from '../../domain/auth/throttle.ts';
import type { Clock } from '../../plugins/clock.ts';
import { API_TOKEN_PREFIX, DUMMY_HASH, newSecret, sha256, verifyPassword } from './secrets.ts';

export interface Principal {
  userId: string;
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** the session's id hash (session) or the token's id (token) */
  credentialId: string;
  csrfToken: string | null;
}

export const SESSION_TTL_MS = 12 * 60 * 60_000;
// Writes of last-used times are spread out: one per credential per minute at most.
const TOUCH_EVERY_MS = 60_000;

export type LoginResult =
  | {
      ok: true;
      sessionId: string;
      csrfToken: string;
      expiresAt: number;
      user: { id: string; name: string; role: Role };
    }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

/** Passwords, sessions, personal API tokens and login throttling. */
export function authService(db: PrismaClient, clock: Clock) {
  const throttle = new Map<string, ThrottleEntry>();
  const touched = new Map<string, number>();

  function shouldTouch(key: string, now: number): boolean {
    const last = touched.get(key) ?? 0;
    if (now - last < TOUCH_EVERY_MS) return false;
    touched.set(key, now);
    return true;
  }

  function lockedFor(keys: string[], now: number): number {
    return Math.max(0, ...keys.map((k) => retryAfter(throttle.get(k) ?? emptyEntry(), now)));
  }

  function fail(name: string, ip: string, now: number) {
    throttle.set(`user:${name}`, recordFailure(throttle.get(`user:${name}`) ?? emptyEntry(), now, USER_POLICY));
    throttle.set(`ip:${ip}`, recordFailure(throttle.get(`ip:${ip}`) ?? emptyEntry(), now, ADDRESS_POLICY));
    // A spray of random names must not grow this map without bound.
    if (throttle.size > 10_000) {
      for (const [key, entry] of throttle) {
        if (isIdle(entry, now, key.startsWith('ip:') ? ADDRESS_POLICY : USER_POLICY)) throttle.delete(key);
      }
    }
  }

  return {
    async login(name: string, password: string, ip: string): Promise<LoginResult> {
      const now = clock.now();
      const key = name.toLowerCase();
      const wait = lockedFor([`user:${key}`, `ip:${ip}`], now);
      if (wait > 0) return { ok: false, reason: 'locked', retryAfterMs: wait };
      const user = await db.user.findUnique({ where: { name } });
      // Same work for an unknown name as for a wrong password.
      const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !valid || user.disabled || !isRole(user.role)) {
        fail(key, ip, now);
        const after = lockedFor([`user:${key}`, `ip:${ip}`], now);
        return after > 0 ? { ok: false, reason: 'locked', retryAfterMs: after } : { ok: false, reason: 'invalid' };
      }
      throttle.delete(`user:${key}`);
      const sessionId = newSecret();
      const csrfToken = newSecret();
      const expiresAt = now + SESSION_TTL_MS;
      await db.session.create({
        data: {
          id: sha256(sessionId),
          userId: user.id,
          csrfToken,
          createdAt: new Date(now),
          expiresAt: new Date(expiresAt),
          lastSeenAt: new Date(now),
          ip,
        },
      });
      return { ok: true, sessionId, csrfToken, expiresAt, user: { id: user.id, name: user.name, role: user.role } };
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.via === 'session') await db.session.deleteMany({ where: { id: principal.credentialId } });
    },

    /** The principal behind a session cookie or a bearer token, or null. */
    async resolve(credentials: { sessionCookie?: string; bearer?: string }): Promise<Principal | null> {
      const now = clock.now();
      if (credentials.bearer?.startsWith(API_TOKEN_PREFIX)) {
        const token = await db.apiToken.findUnique({
          where: { tokenHash: sha256(credentials.bearer) },
          include: { user: true },
        });
        if (!token || token.revokedAt || token.user.disabled || !isRole(token.user.role)) return null;
        if (shouldTouch(`token:${token.id}`, now)) {
          await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } });
        }
        return {
          userId: token.userId,
          name: token.user.name,
          role: token.user.role,
          via: 'token',
          credentialId: token.id,
          csrfToken: null,
        };
      }
      if (credentials.sessionCookie) {
        const id = sha256(credentials.sessionCookie);
        const session = await db.session.findUnique({ where: { id }, include: { user: true } });
        if (!session || session.expiresAt.getTime() <= now || session.user.disabled || !isRole(session.user.role))
          return null;
        if (shouldTouch(`session:${id}`, now)) {
          await db.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } });
        }
        return {
          userId: session.userId,
          name: session.user.name,
          role: session.user.role,
          via: 'session',
          credentialId: id,
          csrfToken: session.csrfToken,
        };
      }
      return null;
    },

    async session(principal: Principal) {
      if (principal.via !== 'session') return null;
      return db.session.findUnique({ where: { id: principal.credentialId } });
    },
  };
}

export type AuthService = ReturnType<typeof authService>;
