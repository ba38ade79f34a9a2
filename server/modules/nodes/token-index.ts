/**
 * Which node each live token belongs to, by hash, in memory: an agent's
 * upgrade is then checked without a database query, which matters when a
 * whole fleet reconnects after a server restart. The nodes service is the
 * only writer of tokens, so it keeps this index exact (one server process).
 */

export interface TokenOwner {
  id: string;
  name: string;
}

export class TokenIndex {
  private readonly byHash = new Map<string, TokenOwner>();
  private readonly hashById = new Map<string, string>();
  /** bumped by every removal, so a lookup that raced with a revoke never caches a dead token */
  generation = 0;

  get(hash: string): TokenOwner | undefined {
    return this.byHash.get(hash);
  }

  /** Records the node's current token, replacing its previous one. */
  set(hash: string, owner: TokenOwner): void {
    this.remove(owner.id);
    this.byHash.set(hash, owner);
    this.hashById.set(owner.id, hash);
  }

  remove(nodeId: string): void {
    const hash = this.hashById.get(nodeId);
    this.generation += 1;
    if (hash === undefined) return;
    this.hashById.delete(nodeId);
    this.byHash.delete(hash);
  }

  get size(): number {
    return this.byHash.size;
  }
}
