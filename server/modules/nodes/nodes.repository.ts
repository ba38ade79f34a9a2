import type { PrismaClient } from '../../db/client.ts';
import { Prisma } from '../../generated/prisma/client.ts';

export type { Node as NodeRow } from '../../generated/prisma/client.ts';

export class DuplicateNameError extends Error {
  override name = 'DuplicateNameError';
}

/** One node's last-seen snapshot, as the ingest table holds it. */
export interface LastSeenRow {
  nodeId: string;
  agentVersion: string | null;
  lastSeenAt: number | null;
  lastVia: string | null;
  lastSeq: number | null;
  lastHealthy: boolean | null;
  lastRole: string | null;
  lastEpoch: number | null;
  lastComponents: string | null;
}

// Prisma writes SQLite DateTime as this text form; raw writes must match it.
function sqliteTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Rows per snapshot statement: ~7 ms of blocked event loop each (200 took up to 17 ms at 10,000 agents). */
export const LAST_SEEN_BATCH = 100;

/** Node rows. Lookups return null for "not found"; the routes turn that into a 404. */
export function nodesRepository(db: PrismaClient) {
  const isUniqueViolation = (error: unknown) =>
    error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
  const isMissing = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';

  async function orNull<T>(work: Promise<T>): Promise<T | null> {
    try {
      return await work;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    async create(data: { name: string; address: string; labels: Record<string, string>; tokenHash: string; at: Date }) {
      try {
        return await db.node.create({
          data: {
            name: data.name,
            address: data.address,
            labels: JSON.stringify(data.labels),
            tokenHash: data.tokenHash,
            tokenCreatedAt: data.at,
            createdAt: data.at,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateNameError(data.name);
        throw error;
      }
    },

    findById(id: string) {
      return db.node.findUnique({ where: { id } });
    },

    /** Only an unrevoked token has a hash on its row. */
    findByTokenHash(tokenHash: string) {
      return db.node.findUnique({ where: { tokenHash } });
    },

    list() {
      return db.node.findMany({ orderBy: { name: 'asc' } });
    },

    listTokenOwners() {
      return db.node.findMany({
        where: { tokenHash: { not: null } },
        select: { id: true, name: true, tokenHash: true },
      });
    },

    setToken(id: string, tokenHash: string, at: Date) {
      return orNull(db.node.update({ where: { id }, data: { tokenHash, tokenCreatedAt: at, tokenRevokedAt: null } }));
    },

    revokeToken(id: string, at: Date) {
      return orNull(db.node.update({ where: { id }, data: { tokenHash: null, tokenRevokedAt: at } }));
    },

    /** The name of the pair the node belongs to, or null. */
    async pairOf(id: string): Promise<string | null> {
      const member = await db.pairMember.findUnique({
        where: { nodeId: id },
        include: { pair: { select: { name: true } } },
      });
      return member?.pair.name ?? null;
    },

    async delete(id: string): Promise<boolean> {
      return (await orNull(db.node.delete({ where: { id } }))) !== null;
    },

    /**
     * Writes many last-seen snapshots in one statement (one Prisma update per
     * row costs ~0.7 ms: 10,000 nodes would hold the loop for seconds). The
     * caller keeps batches small (LAST_SEEN_BATCH) and yields between them.
     */
    async writeLastSeen(rows: LastSeenRow[]): Promise<number> {
      if (rows.length === 0) return 0;
      const values = rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = rows.flatMap((row) => [
        row.nodeId,
        row.agentVersion,
        row.lastSeenAt === null ? null : sqliteTime(row.lastSeenAt),
        row.lastVia,
        row.lastSeq,
        row.lastHealthy === null ? null : row.lastHealthy ? 1 : 0,
        row.lastRole,
        row.lastEpoch,
        row.lastComponents,
      ]);
      // COALESCE keeps what an older snapshot knew when this one has nothing new (e.g. only a connection change).
      return db.$executeRawUnsafe(
        `UPDATE "Node" SET
           "agentVersion" = COALESCE(v.column2, "Node"."agentVersion"),
           "lastSeenAt" = COALESCE(v.column3, "Node"."lastSeenAt"),
           "lastVia" = COALESCE(v.column4, "Node"."lastVia"),
           "lastSeq" = COALESCE(v.column5, "Node"."lastSeq"),
           "lastHealthy" = COALESCE(v.column6, "Node"."lastHealthy"),
           "lastRole" = COALESCE(v.column7, "Node"."lastRole"),
           "lastEpoch" = COALESCE(v.column8, "Node"."lastEpoch"),
           "lastComponents" = COALESCE(v.column9, "Node"."lastComponents")
         FROM (VALUES ${values}) AS v
         WHERE "Node"."id" = v.column1`,
        ...params,
      );
    },
  };
}

export type NodesRepository = ReturnType<typeof nodesRepository>;
