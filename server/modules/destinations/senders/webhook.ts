import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
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
 *
 * node:http with its own connection per attempt, not fetch: after an aborted
 * request, fetch's shared pool (undici) opened a fresh idle connection to the
 * hanging receiver and kept it for its keep-alive time. Alerts are rare, so
 * reuse buys nothing, and one attempt owning one socket is easy to account for.
 */
export function createWebhookSender(options: WebhookSenderOptions = {}): Sender<WebhookConfig> {
  const now = options.now ?? Date.now;
  const userAgent = options.userAgent ?? `switchyard/${version}`;
  return {
    send: (config, notification, context) =>
      withDeadline(context, async (signal) => {
        const body = JSON.stringify(webhookPayload(notification));
        const target = URL.canParse(config.url) ? new URL(config.url) : null;
        if (!target) throw new DeliveryError('the webhook URL is not a valid URL', false);
        const headers = {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'idempotency-key': notification.idempotencyKey,
          'user-agent': userAgent,
          [SIGNATURE_HEADER]: signWebhook(config.secret, Math.floor(now() / 1000), body),
        };
        let response: WebhookResponse;
        try {
          response = await post(target, headers, body, signal);
        } catch (error) {
          // Only the origin: the path or query may hold a token, and this text is shown in the UI.
          throw new DeliveryError(`could not reach ${target.origin}: ${errorText(error)}`, true);
        }
        if (response.status >= 200 && response.status < 300) return;
        const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        const detail = response.location
          ? ` (redirect to ${response.location} not followed: configure the final URL)`
          : '';
        const snippet = oneLineSnippet(response.bodyStart);
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

interface WebhookResponse {
  status: number;
  statusText: string;
  location: string | null;
  /** at most SNIPPET_BYTES of the body, for the error text */
  bodyStart: Buffer;
}

/**
 * One request on a connection of its own (`agent: false` sends
 * `Connection: close`). Resolves when the response has ended, or once
 * SNIPPET_BYTES of its body are in (the rest is not read: the socket is
 * destroyed). Aborting the signal destroys the socket at any point.
 */
function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<WebhookResponse> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers,
      agent: false,
      signal,
    });
    request.on('error', reject); // `on`: a late second error must not go unhandled
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        response.destroy();
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          location: response.headers.location ?? null,
          bodyStart: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES),
        });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= SNIPPET_BYTES) done();
      });
      response.once('end', done);
      // A body cut short (or the abort) still leaves a status to report; an abort wins in withDeadline.
      response.on('error', done);
    });
    request.end(body);
  });
}

/** The start of an error body, one line. */
function oneLineSnippet(bytes: Buffer): string {
  const line = new TextDecoder().decode(bytes).replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
