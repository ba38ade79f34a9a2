import type { CommandResultMessage, HeartbeatBody } from '../../contract/agent-protocol.ts';
import type { HeartbeatVia } from '../../contract/nodes.ts';

/**
 * The narrow interface between ingest and the decision core: agents'
 * messages in, synchronous listener calls out, plus the in-memory table of
 * what each node last said. Heartbeats are never written one by one; the
 * table is snapshotted to the database now and then (see last-seen-snapshot.ts).
 */

export interface HeartbeatEvent {
  nodeId: string;
  /** the server's clock (app.clock.now()) when the beat arrived: thresholds use this, never body.sentAt */
  receivedAt: number;
  body: HeartbeatBody;
  via: HeartbeatVia;
}

/** Listeners are called synchronously on the ingest path: keep them cheap and never throw on purpose. */
export interface IngestListener {
  heartbeat?(beat: HeartbeatEvent): void;
  /** an agent said hello on a WebSocket (true), or its last socket closed (false) */
  connection?(nodeId: string, connected: boolean, at: number): void;
  /** every command result, also the ones nobody waits for any more (late or duplicate) */
  commandResult?(nodeId: string, result: CommandResultMessage, receivedAt: number): void;
}

export interface LastHeartbeat {
  receivedAt: number;
  via: HeartbeatVia;
  body: HeartbeatBody;
}

export interface NodeLive {
  lastHeartbeat: LastHeartbeat | null;
  connected: boolean;
  /** when `connected` last changed, server clock */
  connectionChangedAt: number | null;
  agentVersion: string | null;
  /** changed since the last snapshot */
  dirty: boolean;
}

interface Log {
  error(object: object, message: string): void;
}

export class IngestHub {
  private readonly listeners = new Set<IngestListener>();
  private readonly table = new Map<string, NodeLive>();

  constructor(private readonly log: Log) {}

  /** Returns the function that removes the listener again. */
  addListener(listener: IngestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  heartbeat(beat: HeartbeatEvent): void {
    const live = this.entry(beat.nodeId);
    live.lastHeartbeat = { receivedAt: beat.receivedAt, via: beat.via, body: beat.body };
    live.dirty = true;
    this.emit('heartbeat', (l) => l.heartbeat?.(beat));
  }

  connection(nodeId: string, connected: boolean, at: number, agentVersion?: string): void {
    const live = this.entry(nodeId);
    live.connected = connected;
    live.connectionChangedAt = at;
    if (agentVersion !== undefined) live.agentVersion = agentVersion;
    live.dirty = true;
    this.emit('connection', (l) => l.connection?.(nodeId, connected, at));
  }

  commandResult(nodeId: string, result: CommandResultMessage, receivedAt: number): void {
    this.emit('commandResult', (l) => l.commandResult?.(nodeId, result, receivedAt));
  }

  live(nodeId: string): NodeLive | undefined {
    return this.table.get(nodeId);
  }

  forget(nodeId: string): void {
    this.table.delete(nodeId);
  }

  /** The entries changed since the last call, marked clean. */
  takeDirty(): Array<[string, NodeLive]> {
    const dirty: Array<[string, NodeLive]> = [];
    for (const [nodeId, live] of this.table) {
      if (!live.dirty) continue;
      live.dirty = false;
      dirty.push([nodeId, live]);
    }
    return dirty;
  }

  /** Puts entries back after a failed snapshot so the next one retries them. */
  markDirty(nodeIds: string[]): void {
    for (const nodeId of nodeIds) {
      const live = this.table.get(nodeId);
      if (live) live.dirty = true;
    }
  }

  private entry(nodeId: string): NodeLive {
    let live = this.table.get(nodeId);
    if (!live) {
      live = { lastHeartbeat: null, connected: false, connectionChangedAt: null, agentVersion: null, dirty: false };
      this.table.set(nodeId, live);
    }
    return live;
  }

  // A listener's bug must not stop ingest for every other node.
  private emit(kind: string, call: (listener: IngestListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        this.log.error({ err: error, kind }, 'ingest listener threw; ignored');
      }
    }
  }
}
