import { LAST_SEEN_BATCH, type LastSeenRow, type NodesRepository } from '../nodes/nodes.repository.ts';
import type { IngestHub, NodeLive } from './ingest-hub.ts';

/**
 * Copies the in-memory last-seen table to the Node rows: every ~30 s and at
 * shutdown, never per heartbeat (SPEC §8). Losing up to 30 s of "last seen"
 * on a crash is fine: thresholds live in memory and restart from fresh beats.
 */

export function toLastSeenRow(nodeId: string, live: NodeLive): LastSeenRow {
  const beat = live.lastHeartbeat;
  return {
    nodeId,
    agentVersion: live.agentVersion,
    lastSeenAt: beat?.receivedAt ?? null,
    lastVia: beat?.via ?? null,
    lastSeq: beat?.body.seq ?? null,
    lastHealthy: beat?.body.healthy ?? null,
    lastRole: beat?.body.role ?? null,
    lastEpoch: beat?.body.epoch ?? null,
    lastComponents: beat ? JSON.stringify(beat.body.components) : null,
  };
}

interface Log {
  debug(object: object, message: string): void;
  error(object: object, message: string): void;
}

export class LastSeenSnapshot {
  private running: Promise<void> | null = null;

  constructor(
    private readonly hub: IngestHub,
    private readonly repository: NodesRepository,
    private readonly log: Log,
  ) {}

  /** One flush at a time; a call during a flush waits for it and then flushes what changed meanwhile. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.write().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async write(): Promise<void> {
    const dirty = this.hub.takeDirty();
    if (dirty.length === 0) return;
    const started = performance.now();
    let written = 0;
    for (let start = 0; start < dirty.length; start += LAST_SEEN_BATCH) {
      const batch = dirty.slice(start, start + LAST_SEEN_BATCH);
      try {
        written += await this.repository.writeLastSeen(batch.map(([nodeId, live]) => toLastSeenRow(nodeId, live)));
      } catch (error) {
        this.hub.markDirty(batch.map(([nodeId]) => nodeId));
        this.log.error({ err: error, nodes: batch.length }, 'last-seen snapshot failed; will retry');
      }
      // Heartbeats keep flowing between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.log.debug(
      { nodes: dirty.length, written, durationMs: Math.round(performance.now() - started) },
      'last-seen snapshot written',
    );
  }
}
