import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Machine tokens: 256 random bits, shown once. Only their SHA-256 is stored;
 * a slow password hash would add nothing for a secret this long and would
 * cost every agent connection.
 */

const PREFIX = 'sya_';

export function generateNodeToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashNodeToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}
