import type { WebSocket } from 'ws';
import { AGENT_CLOSE, type ServerMessage } from '../../contract/agent-protocol.ts';

/**
 * Which agent WebSocket speaks for which node. A socket is *pending* from
 * its authenticated upgrade until its hello; then it becomes the node's
 * *current* session, replacing (close 4409) any earlier one.
 */

export interface AgentSession {
  readonly id: number;
  readonly nodeId: string;
  readonly nodeName: string;
  readonly socket: WebSocket;
  readonly openedAt: number;
  /** set by the hello */
  hello: { agentVersion: string; intervalMs: number; at: number } | null;
  /** server clock of the last frame received */
  lastFrameAt: number;
  /** close() was called: frames still in flight are ignored */
  closing: boolean;
}

interface Log {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Close reasons are limited to 123 bytes by the WebSocket protocol (ws throws beyond that). */
export function closeReason(code: string, message: string): string {
  let text = `${code}: ${message}`;
  if (Buffer.byteLength(text) <= 123) return text;
  // Cut by characters, not bytes, so no multi-byte character is split.
  while (Buffer.byteLength(`${text}...`) > 123) text = text.slice(0, -1);
  return `${text}...`;
}

export class AgentSessions {
  private nextId = 1;
  private readonly open = new Set<AgentSession>();
  private readonly current = new Map<string, AgentSession>();

  constructor(private readonly log: Log) {}

  add(nodeId: string, nodeName: string, socket: WebSocket, now: number): AgentSession {
    const session: AgentSession = {
      id: this.nextId++,
      nodeId,
      nodeName,
      socket,
      openedAt: now,
      hello: null,
      lastFrameAt: now,
      closing: false,
    };
    this.open.add(session);
    return session;
  }

  /** Makes the session the node's current one; returns the one it replaced, already being closed. */
  makeCurrent(session: AgentSession): AgentSession | null {
    const previous = this.current.get(session.nodeId);
    this.current.set(session.nodeId, session);
    if (!previous || previous === session) return null;
    this.log.warn(
      { nodeId: session.nodeId, node: session.nodeName, replacedSession: previous.id, session: session.id },
      'a second agent connection for this node replaced the first',
    );
    this.close(
      previous,
      AGENT_CLOSE.replaced,
      closeReason('REPLACED', 'another connection for this node took over; is the agent running twice?'),
    );
    return previous;
  }

  /** Forgets a closed session; true when it was the node's current one (the node is now disconnected). */
  remove(session: AgentSession): boolean {
    this.open.delete(session);
    if (this.current.get(session.nodeId) !== session) return false;
    this.current.delete(session.nodeId);
    return true;
  }

  get(nodeId: string): AgentSession | undefined {
    return this.current.get(nodeId);
  }

  isConnected(nodeId: string): boolean {
    return this.current.has(nodeId);
  }

  /** Closes every socket of the node, pending ones included (token rotated, revoked, node deleted). */
  closeNode(nodeId: string, code: number, reason: string): number {
    let closed = 0;
    for (const session of this.open) {
      if (session.nodeId !== nodeId) continue;
      this.close(session, code, reason);
      closed += 1;
    }
    return closed;
  }

  close(session: AgentSession, code: number, reason: string): void {
    session.closing = true;
    session.socket.close(code, reason);
  }

  send(session: AgentSession, message: ServerMessage): boolean {
    if (session.closing || session.socket.readyState !== session.socket.OPEN) return false;
    session.socket.send(JSON.stringify(message));
    return true;
  }

  all(): Iterable<AgentSession> {
    return this.open;
  }

  get size(): number {
    return this.open.size;
  }
}
