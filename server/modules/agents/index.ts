import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AGENT_CLOSE } from '../../contract/agent-protocol.ts';
import { nodesRepository } from '../nodes/nodes.repository.ts';
import { AgentChannel } from './agent-channel.ts';
import { AgentSessions, closeReason } from './agent-sessions.ts';
import { DEFAULT_FRAME_LIMITS, type FrameGuardLimits } from './frame-guard.ts';
import { IngestHub } from './ingest-hub.ts';
import { LastSeenSnapshot } from './last-seen-snapshot.ts';

export interface AgentsOptions {
  /** how often the last-seen table is copied to the database */
  snapshotEveryMs?: number;
  limits?: FrameGuardLimits;
  /** an upgraded socket must say hello within this time */
  helloTimeoutMs?: number;
  /** how often sockets are checked for a missing hello or silence */
  sweepEveryMs?: number;
  /** slack beyond 3 intervals of silence before a socket is cut (a slow check round) */
  silenceGraceMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** heartbeats and connection changes, for the decision core; and the last-seen table */
    ingest: IngestHub;
    /** command delivery with acknowledgement and deadline */
    agentChannel: AgentChannel;
    agentSessions: AgentSessions;
    agentLimits: FrameGuardLimits;
  }
}

// A connected agent that says nothing for 3 intervals (+ slack for a slow check round) is gone.
export function silenceLimitMs(intervalMs: number, graceMs = 10_000): number {
  return 3 * intervalMs + graceMs;
}

/** The ingest side of agents: hub, sessions, command channel, last-seen snapshots. Routes live in agents.routes.ts. */
export default fp<AgentsOptions>(
  async function agentsPlugin(app: FastifyInstance, options) {
    const hub = new IngestHub(app.log);
    const sessions = new AgentSessions(app.log);
    const channel = new AgentChannel(sessions, app.clock, app.log);
    const snapshot = new LastSeenSnapshot(hub, nodesRepository(app.db), app.log);
    app.decorate('ingest', hub);
    app.decorate('agentSessions', sessions);
    app.decorate('agentChannel', channel);
    app.decorate('agentLimits', options.limits ?? DEFAULT_FRAME_LIMITS);

    const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
    const sweepOnce = () => {
      const now = app.clock.now();
      for (const session of sessions.all()) {
        if (session.closing) continue;
        if (session.hello === null && now - session.openedAt > helloTimeoutMs) {
          sessions.close(
            session,
            AGENT_CLOSE.policyViolation,
            closeReason('HELLO_TIMEOUT', `no hello within ${helloTimeoutMs} ms`),
          );
        } else if (
          session.hello &&
          now - session.lastFrameAt > silenceLimitMs(session.hello.intervalMs, options.silenceGraceMs)
        ) {
          app.log.warn({ nodeId: session.nodeId, session: session.id }, 'agent silent on an open socket; cutting it');
          session.closing = true;
          session.socket.terminate();
        }
      }
    };
    // After the poll phase: a server that stalled reads the frames that waited before it calls anyone silent.
    const sweep = setInterval(() => setImmediate(sweepOnce), options.sweepEveryMs ?? 5000);
    sweep.unref();

    const snapshots = setInterval(() => void snapshot.flush(), options.snapshotEveryMs ?? 30_000);
    snapshots.unref();

    // Sockets are closed by the websocket plugin's preClose; by now their last state is in the table.
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      clearInterval(snapshots);
      channel.close();
      await snapshot.flush();
    });
  },
  { name: 'agents', dependencies: ['clock', 'database'] },
);
