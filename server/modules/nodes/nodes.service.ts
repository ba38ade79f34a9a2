import { AGENT_CLOSE, componentResult, nodeRole } from '../../contract/agent-protocol.ts';
import type { CreateNodeBody, HeartbeatVia, LastHeartbeatView, NodeView } from '../../contract/nodes.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { AgentSessions } from '../agents/agent-sessions.ts';
import { closeReason } from '../agents/agent-sessions.ts';
import type { IngestHub, NodeLive } from '../agents/ingest-hub.ts';
import { generateNodeToken, hashNodeToken } from './node-tokens.ts';
import { NodeInPairError, NodeNameTakenError } from './nodes.errors.ts';
import { DuplicateNameError, type NodeRow, type NodesRepository } from './nodes.repository.ts';
import { TokenIndex, type TokenOwner } from './token-index.ts';

/**
 * Enrollment: create a node and hand out its token once; rotate and revoke
 * tokens, closing any socket that the old token opened (4401) at once.
 */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

// The row's snapshot is what we knew at the last flush, e.g. before a restart.
function snapshotHeartbeat(row: NodeRow): LastHeartbeatView | null {
  if (!row.lastSeenAt) return null;
  const components = componentResult.array().safeParse(parseJson(row.lastComponents, []));
  const role = nodeRole.safeParse(row.lastRole);
  return {
    receivedAt: row.lastSeenAt.toISOString(),
    via: (row.lastVia === 'http' ? 'http' : 'websocket') satisfies HeartbeatVia,
    seq: row.lastSeq ?? 0,
    healthy: row.lastHealthy ?? false,
    components: components.success ? components.data : [],
    role: role.success ? role.data : 'unknown',
    epoch: row.lastEpoch ?? 0,
  };
}

/** Pure: the row plus the in-memory live entry → what the API shows. */
export function toNodeView(row: NodeRow, live: NodeLive | undefined): NodeView {
  const beat = live?.lastHeartbeat;
  const lastHeartbeat: LastHeartbeatView | null = beat
    ? {
        receivedAt: new Date(beat.receivedAt).toISOString(),
        via: beat.via,
        seq: beat.body.seq,
        healthy: beat.body.healthy,
        components: beat.body.components,
        role: beat.body.role,
        epoch: beat.body.epoch,
        ...(beat.body.peers ? { peers: beat.body.peers } : {}),
      }
    : snapshotHeartbeat(row);
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    labels: parseJson<Record<string, string>>(row.labels, {}),
    agentVersion: live?.agentVersion ?? row.agentVersion,
    connected: live?.connected ?? false,
    lastHeartbeat,
    token: {
      state: row.tokenHash ? 'active' : 'revoked',
      createdAt: iso(row.tokenCreatedAt),
      revokedAt: iso(row.tokenRevokedAt),
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface NodesServiceDeps {
  repository: NodesRepository;
  hub: IngestHub;
  sessions: AgentSessions;
  clock: Clock;
}

export function nodesService({ repository, hub, sessions, clock }: NodesServiceDeps) {
  const view = (row: NodeRow) => toNodeView(row, hub.live(row.id));
  const tokens = new TokenIndex();

  async function lookup(hash: string): Promise<TokenOwner | null> {
    const cached = tokens.get(hash);
    if (cached) return cached;
    const generation = tokens.generation;
    const row = await repository.findByTokenHash(hash);
    if (!row) return null;
    // A rotate, revoke or delete ran while we read: read again rather than cache what it removed.
    if (tokens.generation !== generation) return lookup(hash);
    const owner = { id: row.id, name: row.name };
    tokens.set(hash, owner);
    return owner;
  }
  const disconnect = (nodeId: string, code: string, message: string) =>
    sessions.closeNode(nodeId, AGENT_CLOSE.unauthorized, closeReason(code, message));

  return {
    async create(body: CreateNodeBody): Promise<{ node: NodeView; token: string }> {
      const token = generateNodeToken();
      try {
        const tokenHash = hashNodeToken(token);
        const row = await repository.create({ ...body, tokenHash, at: new Date(clock.now()) });
        tokens.set(tokenHash, { id: row.id, name: row.name });
        return { node: view(row), token };
      } catch (error) {
        if (error instanceof DuplicateNameError) throw new NodeNameTakenError(body.name);
        throw error;
      }
    },

    async list(): Promise<NodeView[]> {
      return (await repository.list()).map(view);
    },

    async get(id: string): Promise<NodeView | null> {
      const row = await repository.findById(id);
      return row ? view(row) : null;
    },

    async rotateToken(id: string): Promise<{ node: NodeView; token: string } | null> {
      const token = generateNodeToken();
      const tokenHash = hashNodeToken(token);
      const row = await repository.setToken(id, tokenHash, new Date(clock.now()));
      if (!row) return null;
      tokens.set(tokenHash, { id: row.id, name: row.name });
      disconnect(id, 'TOKEN_ROTATED', 'this token was replaced; configure the agent with the new one');
      return { node: view(row), token };
    },

    async revokeToken(id: string): Promise<NodeView | null> {
      const row = await repository.revokeToken(id, new Date(clock.now()));
      if (!row) return null;
      tokens.remove(id);
      disconnect(id, 'TOKEN_REVOKED', 'this token was revoked');
      return view(row);
    },

    async remove(id: string): Promise<boolean> {
      const pair = await repository.pairOf(id);
      if (pair) throw new NodeInPairError(id, pair);
      const removed = await repository.delete(id);
      if (!removed) return false;
      tokens.remove(id);
      disconnect(id, 'NODE_DELETED', 'this node was deleted from the server');
      hub.forget(id);
      return true;
    },

    /** The node a bearer token belongs to, or null (unknown, revoked, malformed). */
    async authenticate(token: string | null): Promise<(TokenOwner & { tokenHash: string }) | null> {
      if (!token) return null;
      const tokenHash = hashNodeToken(token);
      const owner = await lookup(tokenHash);
      return owner ? { ...owner, tokenHash } : null;
    },

    /** Synchronous re-check just before a socket is served: was the token revoked meanwhile? */
    isCurrentToken(nodeId: string, tokenHash: string): boolean {
      return tokens.get(tokenHash)?.id === nodeId;
    },

    /** Loads every live token at start, so a reconnecting fleet costs no database reads. */
    async loadTokens(): Promise<number> {
      for (const row of await repository.listTokenOwners()) {
        if (row.tokenHash) tokens.set(row.tokenHash, { id: row.id, name: row.name });
      }
      return tokens.size;
    },
  };
}

export type NodesService = ReturnType<typeof nodesService>;
