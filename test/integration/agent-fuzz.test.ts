import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentUrl, connectRawAgent, enrollNode } from '../helpers/agent-client.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// Thousands of random frames over the agent protocol, from many connections that
// reconnect when the server closes them. The server must stay healthy, and a
// well-behaved agent beside them must not notice.

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 5000);
const FUZZERS = 12;

const validish = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('hello', 'heartbeat', 'command-result', 'nope', ''),
      protocol: fc.anything(),
      agentVersion: fc.anything(),
      intervalMs: fc.anything(),
      role: fc.anything(),
      epoch: fc.anything(),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('heartbeat'),
      seq: fc.anything(),
      sentAt: fc.anything(),
      healthy: fc.anything(),
      components: fc.anything(),
      role: fc.anything(),
      epoch: fc.anything(),
      peers: fc.anything(),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({
    type: fc.constant('command-result'),
    commandId: fc.string(),
    command: fc.string(),
    epoch: fc.integer(),
    ok: fc.boolean(),
    exitCode: fc.anything(),
    output: fc.string({ maxLength: 20_000 }),
    durationMs: fc.double(),
  }),
);

const frame = fc.oneof(
  { weight: 3, arbitrary: validish.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'x'.repeat(70_000),
      `{"type":"heartbeat","components":[${'{"name":"c","kind":"tcp","healthy":true},'.repeat(3000)}1]}`,
    ),
  },
);

describe('agent protocol fuzz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
  });
  afterAll(async () => t.close());

  it(`${FRAMES} random frames leave the server healthy and a good agent undisturbed`, async () => {
    const base = baseUrl(t.app);
    const good = await enrollNode(t.app, 'good-agent');
    const bad = await Promise.all(Array.from({ length: FUZZERS }, (_, i) => enrollNode(t.app, `fuzz-${i}`)));
    const honest = await connectRawAgent(base, good.token);
    honest.hello({ intervalMs: 100 });
    const beating = setInterval(() => honest.heartbeat(), 100);
    const samples = fc.sample(frame, { numRuns: FRAMES, seed: 20261123 });
    let next = 0;
    let connections = 0;
    const closeCodes = new Map<number, number>();

    async function fuzzer(token: string) {
      while (next < samples.length) {
        connections += 1;
        const ws = new WebSocket(agentUrl(base), { headers: { authorization: `Bearer ${token}` } });
        ws.on('error', () => {});
        const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
        const opened = await Promise.race([
          new Promise<boolean>((resolve) => ws.once('open', () => resolve(true))),
          closed.then(() => false),
        ]);
        if (opened) {
          while (ws.readyState === WebSocket.OPEN && next < samples.length) {
            ws.send(samples[next++] as string | Buffer);
            await new Promise((resolve) => setImmediate(resolve));
          }
          if (ws.readyState === WebSocket.OPEN) ws.close();
        }
        const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))]);
        ws.terminate();
        closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
      }
    }
    try {
      await Promise.all(bad.map((b) => fuzzer(b.token)));
      expect(next).toBe(samples.length);
      // the server answered the garbage by closing with protocol codes, not by falling over
      expect([...closeCodes.keys()].every((c) => [1000, 1005, 1006, 1007, 1008, 1009, 1011, 4409].includes(c))).toBe(
        true,
      );
      expect(connections).toBeGreaterThan(FUZZERS);

      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      // the honest agent was never cut off, and its latest beat is fresh
      expect(honest.ws.readyState).toBe(WebSocket.OPEN);
      const before = t.app.ingest.live(good.node.id)?.lastHeartbeat?.receivedAt ?? 0;
      await waitFor(
        'a fresh beat of the good agent',
        () => (t.app.ingest.live(good.node.id)?.lastHeartbeat?.receivedAt ?? 0) > before,
      );
      expect(t.app.ingest.live(good.node.id)?.connected).toBe(true);
    } finally {
      clearInterval(beating);
      await honest.close();
    }
  }, 120_000);
});
