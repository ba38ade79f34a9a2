import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookVerification } from '../../server/modules/destinations/senders/signature.ts';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: unknown;
  verification: WebhookVerification;
  /** the Idempotency-Key header equals the body's idempotencyKey */
  keyMatches: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** how the next requests are answered; `hang` accepts and never answers */
  respond: (answer: { status: number; body?: string; headers?: Record<string, string> } | 'hang') => void;
  connections: () => Promise<number>;
  close: () => Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 doing what a careful receiver does:
 * verify the signature over the raw bytes and check the idempotency key
 * before trusting the JSON. A request that fails verification gets 401.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  let answer: Parameters<WebhookReceiver['respond']>[0] = { status: 200, body: 'ok' };
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const header = req.headers['x-switchyard-signature'];
      const verification = verifyWebhook(
        secret,
        typeof header === 'string' ? header : undefined,
        rawBody,
        Math.floor(Date.now() / 1000),
      );
      let body: unknown = null;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        // stays null: the test sees it
      }
      const key = (body as { idempotencyKey?: unknown } | null)?.idempotencyKey;
      const keyMatches = typeof key === 'string' && req.headers['idempotency-key'] === key;
      received.push({ headers: req.headers, rawBody, body, verification, keyMatches });
      if (answer === 'hang') return;
      if (!verification.ok || !keyMatches) return reply(res, 401, `rejected: ${JSON.stringify(verification)}`);
      reply(res, answer.status, answer.body ?? '', answer.headers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/switchyard?token=query-secret`,
    received,
    respond: (next) => {
      answer = next;
    },
    connections: () => new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n)))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}
