import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { packageRoot } from '../../../config.ts';
import type { AlertView } from '../../../contract/alerts.ts';
import type { webhookConfig } from '../../../contract/destinations.ts';
import { DeliveryError, type Notification, type Sender, type Transition } from '../notification.ts';
import { withDeadline } from './deadline.ts';
import { SIGNATURE_HEADER, signWebhook } from './signature.ts';

export type WebhookConfig = z.infer<typeof webhookConfig>;

export const WEBHOOK_SCHEMA = 'switchyard.alert.v1';

/**
 * The JSON body of every dispatch webhook. Stable: fields may be added under
 * the same `schema`, never renamed or removed; a breaking change gets a new
 * `schema` value. Receivers should drop a body whose `idempotencyKey` they
 * have seen (it is also the `Idempotency-Key` header): delivery is at least once.
 */
export interface WebhookPayload {
  schema: typeof WEBHOOK_SCHEMA;
  idempotencyKey: string;
  transition: Transition;
  /** ISO time of the transition (not of this attempt) */
  at: string;
  /** the Switchyard server that sent it */
  source: string;
  pairName: string | null;
  nodeName: string | null;
  alert: AlertView;
}

/** Field by field, so a change to the internal types cannot silently change the wire format. */
export function webhookPayload(n: Notification): WebhookPayload {
  const a = n.alert;
  return {
    schema: WEBHOOK_SCHEMA,
    idempotencyKey: n.idempotencyKey,
    transition: n.transition,
    at: n.at,
    source: n.source,
    pairName: n.pairName,
    nodeName: n.nodeName,
    alert: {
      id: a.id,
      key: a.key,
      kind: a.kind,
      severity: a.severity,
      state: a.state,
      pairId: a.pairId,
      nodeId: a.nodeId,
      message: a.message,
      ackOnly: a.ackOnly,
      raisedAt: a.raisedAt,
      lastRaisedAt: a.lastRaisedAt,
      count: a.count,
      clearedAt: a.clearedAt,
      ack: a.ack ? { by: a.ack.by, at: a.ack.at, comment: a.ack.comment } : null,
    },
  };
}

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
const SNIPPET_BYTES = 512;
const SNIPPET_CHARS = 200;

export interface WebhookSenderOptions {
  /** unix milliseconds, for the signature's timestamp */
  now?: () => number;
  userAgent?: string;
}

/**
 * POST the payload, signed. 2xx is delivered; 5xx, 408, 429, timeouts and
 * connection errors are retryable; any other status is a configuration or
 * receiver problem that retrying will not fix. Redirects are not followed: a
 * signed POST should reach the configured URL or fail visibly.
 */
export function createWebhookSender(options: WebhookSenderOptions = {}): Sender<WebhookConfig> {
  const now = options.now ?? Date.now;
  const userAgent = options.userAgent ?? `switchyard/${version}`;
  return {
    send: (config, notification, context) =>
      withDeadline(context, async (signal) => {
        const body = JSON.stringify(webhookPayload(notification));
        const target = new URL(config.url);
        let response: Response;
        try {
          response = await fetch(target, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'idempotency-key': notification.idempotencyKey,
              'user-agent': userAgent,
              [SIGNATURE_HEADER]: signWebhook(config.secret, Math.floor(now() / 1000), body),
            },
            body,
            redirect: 'manual',
            signal,
          });
        } catch (error) {
          // Only the origin: the path or query may hold a token, and this text is shown in the UI.
          throw new DeliveryError(`could not reach ${target.origin}: ${fetchErrorText(error)}`, true);
        }
        if (response.ok) {
          // Nothing to read; cancelling releases the connection now rather than at the pool's leisure.
          await response.body?.cancel().catch(() => {});
          return;
        }
        const snippet = await readSnippet(response);
        const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        const location = response.headers.get('location');
        const detail = location ? ` (redirect to ${location} not followed: configure the final URL)` : '';
        throw new DeliveryError(
          `${status}${detail}${snippet ? `: ${snippet}` : ''}`,
          isRetryableStatus(response.status),
        );
      }),
  };
}

export const webhookSender: Sender<WebhookConfig> = createWebhookSender();

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The start of an error body, one line, for the delivery's error text. */
async function readSnippet(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body that breaks off still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, SNIPPET_BYTES));
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}

/** undici reports "fetch failed" and hides the reason in `cause`. */
function fetchErrorText(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : error instanceof Error ? error : null;
  if (!inner) return String(error);
  const code = (inner as NodeJS.ErrnoException).code;
  return code && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message;
}
