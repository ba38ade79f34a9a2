import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../server/domain/thresholds/evaluator.ts';
import { enrollNode } from '../helpers/agent-client.ts';
import { type AgentProcess, startAgentProcess, writeAgentConfig } from '../helpers/agent-process.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The server itself stalls (here: a busy loop; in production GC, a slow disk
 * under SQLite's synchronous writes, a starved CPU) across the deadlines of
 * nodes whose real agents, in their own processes, keep beating. Timers run
 * before sockets are read, so without care the server would call them
 * silent. Silence it did not listen to is no evidence: no signal, no move.
 */

// DownHeartbeat after one silent 300 ms interval, Down after 3; the agents beat every 100 ms.
const ROLE = {
  up: { beats: 1, intervalMs: 300 },
  down: { beats: 3, intervalMs: 300 },
  downHeartbeat: { enabled: true, beats: 1, intervalMs: 300 },
};
const STALL_MS = 1200;

/**
 * Busy for `ms`: no timer, no socket read, nothing runs. Where it happens
 * decides what runs first after it: a stall in a timer callback is followed
 * by the poll phase (the waiting heartbeats are read before the late
 * timers fire); a stall in a setImmediate callback by the timers phase (the
 * late deadline timers fire before anything is read).
 */
type Phase = 'timers' | 'check';
function stallTheServer(ms: number, phase: Phase, first: () => void = () => {}): Promise<void> {
  return new Promise((resolve) => {
    const stall = () => {
      first();
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // busy
      }
      resolve();
    };
    if (phase === 'timers') setTimeout(stall, 0);
    else setImmediate(stall);
  });
}

describe('a server that stalls past its nodes’ deadlines', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let t: TestApp;
  let agents: AgentProcess[];
  let nodes: { id: string; name: string }[];
  let signals: Signal[];
  let pairId: string;

  beforeEach(async () => {
    temp = makeTempDir();
    t = await startTestApp({}, { listen: true, dir: join(temp.path, 'server') });
    signals = [];
    t.app.haEvents.signal.add((_pairId, signal) => signals.push(signal));
    agents = [];
    nodes = [];
    for (const name of ['s-1', 's-2']) {
      const { node, token } = await enrollNode(t.app, name);
      nodes.push(node);
      const config = {
        server: baseUrl(t.app),
        token,
        intervalMs: 100,
        stateDir: join(temp.path, `state-${name}`),
        reconnect: { baseMs: 100, maxMs: 500, stableAfterMs: 1000 },
      };
      agents.push(startAgentProcess(writeAgentConfig(temp.path, config, `${name}.json`)));
    }
    // linked once the agents beat, as an admin links a running pair: nothing fires on the way to Up
    await waitFor('both agents beating', () => nodes.every((n) => t.app.ingest.live(n.id)?.lastHeartbeat), {
      timeoutMs: 10_000,
    });
    const linked = await injectAsAdmin(t.app, {
      method: 'POST',
      url: '/api/v1/pairs',
      payload: { name: 'stall', primary: 's-1', secondary: 's-2', profile: { active: ROLE, passive: ROLE } },
    });
    expect(linked.statusCode).toBe(201);
    pairId = linked.json().id;
    await waitFor(
      'both members Up and stable',
      () => nodes.every((n) => t.app.ha.track(n.id)?.verdict === 'up' && t.app.ha.track(n.id)?.stable),
      { timeoutMs: 10_000 },
    );
  });

  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop('SIGKILL')));
    await t.app.close();
    temp.cleanup();
  });

  const silenceSignals = (nodeId: string, since: number) =>
    signals.slice(since).filter((s) => s.nodeId === nodeId && (s.type === 'DownHeartbeat' || s.type === 'Down'));

  it.each<Phase>(['timers', 'check'])(
    'reads the heartbeats that waited in the sockets before judging: no DownHeartbeat, no Down (stall in the %s phase)',
    async (phase) => {
      const before = signals.length;
      const stalledAt = Date.now();
      await stallTheServer(STALL_MS, phase);
      // the beats sent during the stall are read now; give the server a few beats more
      await new Promise((resolve) => setTimeout(resolve, 600));

      expect(signals.slice(before).filter((s) => s.type !== 'Up')).toEqual([]);
      for (const node of nodes) {
        const track = t.app.ha.track(node.id);
        expect(track).toMatchObject({ verdict: 'up', stable: true });
        expect(track?.lastHealthyAt).toBeGreaterThan(stalledAt + STALL_MS);
      }
      // nor in the pair's durable history
      const events = await injectAsAdmin(t.app, { url: `/api/v1/pairs/${pairId}/events?kind=signal&limit=50` });
      expect(events.statusCode).toBe(200);
      const messages = (events.json().events as { message: string }[]).map((e) => e.message);
      expect(messages.filter((m) => m.startsWith('Up('))).toHaveLength(2);
      expect(messages.filter((m) => m.includes('Down'))).toEqual([]);
    },
  );

  it('still sees a node that really went silent: its signals fire, dated at their deadlines', async () => {
    const [silent, beating] = nodes as unknown as [{ id: string }, { id: string }];
    const [silentAgent] = agents as [AgentProcess];
    // A hung node: its process stops, its socket stays open.
    silentAgent.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lastHealthyAt = t.app.ha.track(silent.id)?.lastHealthyAt ?? 0;
    const before = signals.length;
    await stallTheServer(STALL_MS, 'check');
    await waitFor('the silent node Down', () => t.app.ha.track(silent.id)?.verdict === 'down', { timeoutMs: 3000 });

    const fired = silenceSignals(silent.id, before);
    expect(fired.map((s) => s.type)).toEqual(['DownHeartbeat', 'Down']);
    // one DownHeartbeat for the whole silence (samples that piled up are counted together), Down at 3 × 300 ms
    expect(fired[1]?.at).toBe(lastHealthyAt + 900);
    expect(fired[0]?.at).toBeLessThanOrEqual(lastHealthyAt + 900);
    expect(fired[0]?.at).toBeGreaterThanOrEqual(lastHealthyAt + 300);
    expect(silenceSignals(beating.id, before)).toEqual([]);
    silentAgent.child.kill('SIGCONT');
  });

  it('reads a command result that arrived during a stall before it calls the deadline passed', async () => {
    const [node] = nodes as unknown as [{ id: string }];
    let pending: ReturnType<typeof t.app.agentChannel.send> | undefined;
    // the agent answers (it has no promote hook: a refusal is an answer) while the server is stalled
    await stallTheServer(800, 'check', () => {
      pending = t.app.agentChannel.send(
        node.id,
        { commandId: `stall-${Date.now()}`, command: 'promote', epoch: 1, timeoutMs: 100 },
        { deadlineAt: t.app.clock.now() + 200, waitForConnection: false },
      );
    });
    const outcome = await pending;
    expect(outcome?.status).toBe('result');
  });
});
