import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { AGENT_CLOSE, type AgentMessage, type ServerMessage } from '../../contract/agent-protocol.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { AgentChannel } from './agent-channel.ts';
import { parseAgentFrame } from './agent-frames.ts';
import { type AgentSession, type AgentSessions, closeReason } from './agent-sessions.ts';
import { type Bucket, type FrameGuardLimits, fullBucket, take } from './frame-guard.ts';
import type { IngestHub } from './ingest-hub.ts';

/**
 * One authenticated agent WebSocket: validates every frame, enforces the
 * flood limits, and hands valid messages to the ingest hub and the command
 * channel. Entirely synchronous, so no frame can slip past before the
 * listeners are attached.
 */

export interface AgentSocketDeps {
  sessions: AgentSessions;
  hub: IngestHub;
  channel: AgentChannel;
  clock: Clock;
  limits: FrameGuardLimits;
}

export function serveAgentSocket(
  deps: AgentSocketDeps,
  socket: WebSocket,
  node: { id: string; name: string },
  log: FastifyBaseLogger,
): AgentSession {
  const { sessions, hub, channel, clock, limits } = deps;
  const session = sessions.add(node.id, node.name, socket, clock.now());
  const slog = log.child({ nodeId: node.id, node: node.name, session: session.id });
  let frames: Bucket = fullBucket(limits.frames, session.openedAt);
  let invalid: Bucket = fullBucket(limits.invalid, session.openedAt);

  const send = (message: ServerMessage) => sessions.send(session, message);
  const violate = (code: string, message: string) => {
    slog.warn({ code }, `closing agent connection: ${message}`);
    sessions.close(session, AGENT_CLOSE.policyViolation, closeReason(code, message));
  };
  const reject = (code: string, message: string) => {
    const next = take(invalid, limits.invalid, clock.now());
    if (!next) {
      violate('TOO_MANY_INVALID_FRAMES', `too many invalid frames; last one: ${message}`);
      return;
    }
    invalid = next;
    slog.info({ code, reason: message }, 'invalid agent frame');
    send({ type: 'error', code, message: message.slice(0, 1000) });
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (session.closing) return;
    const now = clock.now();
    session.lastFrameAt = now;
    const next = take(frames, limits.frames, now);
    if (!next) {
      violate('FLOOD', `more than ${limits.frames.perSecond} frames per second`);
      return;
    }
    frames = next;
    // binaryType is the default 'nodebuffer': ws hands over one Buffer per message.
    const verdict = parseAgentFrame(data as Buffer, isBinary);
    if (!verdict.ok) {
      reject(verdict.code, verdict.message);
      return;
    }
    handle(verdict.message, now);
  });

  socket.on('close', (code: number, reason: Buffer) => {
    const wasCurrent = sessions.remove(session);
    slog.info({ code, reason: reason.toString() }, 'agent disconnected');
    if (wasCurrent) hub.connection(node.id, false, clock.now());
  });

  function handle(message: AgentMessage, receivedAt: number) {
    if (message.type === 'hello') {
      const first = session.hello === null;
      session.hello = { agentVersion: message.agentVersion, intervalMs: message.intervalMs, at: receivedAt };
      sessions.makeCurrent(session);
      if (first) {
        slog.info(
          {
            agentVersion: message.agentVersion,
            role: message.role,
            epoch: message.epoch,
            intervalMs: message.intervalMs,
          },
          'agent connected',
        );
      }
      hub.connection(node.id, true, receivedAt, message.agentVersion);
      send({ type: 'welcome', nodeId: node.id, nodeName: node.name, serverTime: receivedAt });
      channel.resendPending(node.id);
      return;
    }
    if (session.hello === null) {
      reject('HELLO_REQUIRED', `send a hello before any ${message.type}`);
      return;
    }
    if (message.type === 'heartbeat') {
      const { type: _type, ...body } = message;
      hub.heartbeat({ nodeId: node.id, receivedAt, body, via: 'websocket' });
      return;
    }
    const awaited = channel.acceptResult(node.id, message);
    slog.info(
      {
        commandId: message.commandId,
        command: message.command,
        epoch: message.epoch,
        ok: message.ok,
        refused: message.refused,
        duplicate: message.duplicate,
        awaited,
      },
      'command result',
    );
    hub.commandResult(node.id, message, receivedAt);
  }

  return session;
}
