import WebSocket from 'ws';
import { nextDelay } from '../../agents/backoff.ts';
import { DEFAULT_RECONNECT } from '../../agents/config.ts';
import { AGENT_CLOSE, AGENT_PROTOCOL_VERSION } from '../../server/contract/agent-protocol.ts';

/**
 * The agents' side of the benchmark, in its own process: one WebSocket per
 * agent, a hello, then one heartbeat per agent per second, spread evenly over
 * the second. The parent brings the fleet up in steps and can silence agents. When the server goes away (1001) each one reconnects exactly as
 * the agent does: nextDelay() with the agent's default backoff and its own
 * random draws.
 */

const [url = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
/** agents told to go silent: their sockets stay open, their heartbeats stop (a hung node) */
const silenced = new Set<number>();
const send = (message: unknown) => process.send?.(message);
const sockets: (WebSocket | undefined)[] = [];
let tokens: string[] = [];
let seq = 0;
let refused = 0;

const heartbeat = (i: number) =>
  JSON.stringify({
    type: 'heartbeat',
    seq: ++seq,
    sentAt: Date.now(),
    healthy: true,
    role: i % 2 === 0 ? 'active' : 'passive',
    epoch: 3,
    components: [
      { name: 'postgres', kind: 'process', healthy: true, detail: 'pid 4242', durationMs: 1 },
      { name: 'postgres-port', kind: 'tcp', healthy: true, detail: '127.0.0.1:5432 accepted in 0 ms', durationMs: 0 },
      { name: 'api', kind: 'http', healthy: true, detail: 'HTTP 200', durationMs: 3 },
    ],
  });

/** Resolves once agent i is connected (or definitively refused). */
function open(i: number, attempt = 0): Promise<void> {
  return new Promise((resolve) => {
    const token = tokens[i];
    const ws = new WebSocket(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    let opened = false;
    ws.on('error', () => {});
    ws.on('open', () => {
      opened = true;
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: AGENT_PROTOCOL_VERSION,
          agentVersion: 'bench',
          intervalMs: 1000,
          role: 'passive',
          epoch: 3,
        }),
      );
      sockets[i] = ws;
      resolve();
    });
    ws.on('close', (code) => {
      if (sockets[i] === ws) sockets[i] = undefined;
      if (code === AGENT_CLOSE.unauthorized) {
        refused += 1;
        resolve();
        return;
      }
      // Lost (server restart) or never opened (server too busy): back off like the agent.
      const next = opened ? 0 : attempt + 1;
      setTimeout(() => void open(i, next).then(resolve), nextDelay(next, DEFAULT_RECONNECT, Math.random));
    });
  });
}

const openCount = () => sockets.filter((s) => s?.readyState === WebSocket.OPEN).length;

type Message =
  | { type: 'start'; tokens: string[]; upTo?: number }
  | { type: 'more'; upTo: number }
  | { type: 'silence'; indices: number[] }
  | { type: 'count' };

let connectedUpTo = 0;
let beating = false;

/** Brings agents [connectedUpTo, upTo) up, at most 200 handshakes in flight. */
async function connectUpTo(upTo: number) {
  const started = performance.now();
  let next = connectedUpTo;
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      while (next < upTo) await open(next++);
    }),
  );
  connectedUpTo = upTo;
  send({ type: 'connected', open: openCount(), failed: refused, seconds: (performance.now() - started) / 1000 });
}

process.on('message', async (message: Message) => {
  if (message.type === 'count') {
    send({ type: 'count', open: openCount() });
    return;
  }
  if (message.type === 'silence') {
    for (const i of message.indices) silenced.add(i);
    send({ type: 'silenced', count: silenced.size, at: Date.now() });
    return;
  }
  if (message.type === 'more') {
    await connectUpTo(message.upTo);
    return;
  }
  tokens = message.tokens;
  await connectUpTo(message.upTo ?? count);
  // 50 slots of 20 ms: every connection beats once a second, the load spread over the second.
  if (beating) return;
  beating = true;
  let tick = 0;
  setInterval(() => {
    const slot = tick++ % 50;
    for (let i = slot; i < count; i += 50) {
      const ws = sockets[i];
      if (ws && ws.readyState === WebSocket.OPEN && !silenced.has(i)) ws.send(heartbeat(i));
    }
  }, 20);
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
