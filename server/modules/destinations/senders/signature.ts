import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe-like so receivers know the scheme:
 *
 *   X-Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The timestamp is signed with the body, so a receiver that checks it against
 * its own clock rejects a captured request replayed later. A receiver must
 * verify the raw bytes it received, before parsing the JSON.
 */

export const SIGNATURE_HEADER = 'x-switchyard-signature';
/** How far apart sender and receiver clocks may be before a signature counts as a replay. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string | Uint8Array): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body).toString('hex')}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'mismatch' | 'outside-tolerance' };

/**
 * Checks a signature header against the raw body. Several v1 entries are
 * accepted (any one may match) so a secret can be rotated; unknown schemes are
 * ignored. The timestamp is judged only once the signature matched, so a
 * forger learns nothing from the answer. Times are unix seconds.
 */
export function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): WebhookVerification {
  const parsed = parseHeader(header ?? '');
  if (!parsed) return { ok: false, reason: 'malformed' };
  const expected = digest(secret, parsed.timestamp, body);
  const matches = parsed.signatures.some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
  if (!matches) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return { ok: false, reason: 'outside-tolerance' };
  return { ok: true, timestamp: parsed.timestamp };
}

function digest(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      // 64 hex digits only: timingSafeEqual needs equal lengths.
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(value);
    }
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}
