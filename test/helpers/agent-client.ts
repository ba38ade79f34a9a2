import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { AGENT_PROTOCOL_VERSION } from '../../server/contract/agent-protocol.ts';
import { injectAsAdmin } from './auth.ts';
import { waitFor } from './wait.ts';

/** A hand-driven agent connection for protocol tests: sends exactly what the test says. */
export interface RawAgent {
  ws: WebSocket;
  /** every JSON message the server sent, in order */
  received: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  hello(overrides?: Record<string, unknown>): void;
  heartbeat(overrides?: Record<string, unknown>): void;
  waitForMessage(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export function agentUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/api/v1/agent`;
}

export async function connectRawAgent(
  base: string,
  token: string | null,
  options: { open?: boolean } = {},
): Promise<RawAgent> {
  const ws = new WebSocket(agentUrl(base), token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const received: Record<string, unknown>[] = [];
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    try {
      received.push(JSON.parse(data.toString()) as Record<string, unknown>);
    } catch {
      received.push({ raw: data.toString() });
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  if (options.open !== false) {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }
  let seq = 0;
  const client: RawAgent = {
    ws,
    received,
    closed,
    send: (message) =>
      ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message)),
    hello: (overrides = {}) =>
      client.send({
        type: 'hello',
        protocol: AGENT_PROTOCOL_VERSION,
        agentVersion: 'test-agent',
        intervalMs: 1000,
        role: 'passive',
        epoch: 0,
        ...overrides,
      }),
    heartbeat: (overrides = {}) => {
      seq += 1;
      client.send({
        type: 'heartbeat',
        seq,
        sentAt: Date.now(),
        healthy: true,
        components: [],
        role: 'passive',
        epoch: 0,
        ...overrides,
      });
    },
    waitForMessage: (predicate, timeoutMs = 5000) =>
      waitFor('a server message', () => received.find(predicate), { timeoutMs }),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      ws.terminate();
    },
  };
  return client;
}

export async function enrollNode(app: FastifyInstance, name: string, address = '127.0.0.1') {
  const response = await injectAsAdmin(app, { method: 'POST', url: '/api/v1/nodes', payload: { name, address } });
  if (response.statusCode !== 201) throw new Error(`enroll ${name}: ${response.statusCode} ${response.body}`);
  return response.json() as { node: { id: string; name: string }; token: string };
}
