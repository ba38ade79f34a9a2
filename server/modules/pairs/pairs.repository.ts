import { type ThresholdProfile, thresholdProfile } from '../../contract/thresholds.ts';
import type { PrismaClient } from '../../db/client.ts';
import { freshView } from '../../domain/ha/pair.ts';
import type { FailbackPolicy, PairState } from '../../domain/ha/types.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { type DurableState, stateColumns } from '../ha/ha.store.ts';

export class PairConflictError extends Error {
  override name = 'PairConflictError';
  constructor(
    readonly reason: 'name' | 'member',
    message: string,
  ) {
    super(message);
  }
}

const withMembers = {
  members: { include: { node: { select: { name: true } } }, orderBy: { position: 'asc' } },
} as const;
type PairRow = Prisma.PairGetPayload<{ include: typeof withMembers }>;

export interface StoredPair {
  state: PairState;
  profile: ThresholdProfile;
}

/** Rebuilds the manager's state from a row: durable fields from JSON, fresh member views. */
function fromRow(row: PairRow): StoredPair {
  const durable = JSON.parse(row.state) as DurableState;
  const views: PairState['views'] = {};
  for (const m of row.members) views[m.nodeId] = freshView();
  return {
    profile: thresholdProfile.parse(JSON.parse(row.profile)),
    state: {
      pairId: row.id,
      name: row.name,
      members: row.members.map((m) => ({ nodeId: m.nodeId, name: m.node.name, weight: m.weight })),
      failbackPolicy: JSON.parse(row.failbackPolicy) as FailbackPolicy,
      commandTimeoutMs: row.commandTimeoutMs,
      views,
      hold: null,
      ...durable,
    },
  };
}

const LOAD_PAGE = 200;

/** Pair rows. Lookups return null for "not found"; the routes turn that into a 404. */
export function pairsRepository(db: PrismaClient) {
  return {
    /** Every pair, in pages: one query for thousands would pass more parameters than SQLite takes. */
    async loadAll(): Promise<StoredPair[]> {
      const out: StoredPair[] = [];
      let cursor: string | undefined;
      for (;;) {
        const rows = await db.pair.findMany({
          include: withMembers,
          orderBy: { id: 'asc' },
          take: LOAD_PAGE,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
        out.push(...rows.map(fromRow));
        if (rows.length < LOAD_PAGE) return out;
        cursor = rows.at(-1)?.id;
      }
    },

    async create(s: PairState, profile: ThresholdProfile): Promise<void> {
      try {
        await db.pair.create({
          data: {
            id: s.pairId,
            name: s.name,
            profile: JSON.stringify(profile),
            failbackPolicy: JSON.stringify(s.failbackPolicy),
            commandTimeoutMs: s.commandTimeoutMs,
            ...stateColumns(s),
            members: { create: s.members.map((m, position) => ({ nodeId: m.nodeId, weight: m.weight, position })) },
          },
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          const target = String(error.meta?.target ?? error.message);
          if (target.includes('name')) throw new PairConflictError('name', `a pair named ${s.name} already exists`);
          throw new PairConflictError('member', 'one of these nodes already belongs to a pair');
        }
        throw error;
      }
    },

    async updateConfig(
      pairId: string,
      patch: {
        weights?: { nodeId: string; weight: number }[];
        profile?: ThresholdProfile;
        failbackPolicy?: FailbackPolicy;
        commandTimeoutMs?: number;
      },
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.pair.update({
          where: { id: pairId },
          data: {
            ...(patch.profile ? { profile: JSON.stringify(patch.profile) } : {}),
            ...(patch.failbackPolicy ? { failbackPolicy: JSON.stringify(patch.failbackPolicy) } : {}),
            ...(patch.commandTimeoutMs !== undefined ? { commandTimeoutMs: patch.commandTimeoutMs } : {}),
          },
        });
        for (const w of patch.weights ?? []) {
          await tx.pairMember.update({ where: { nodeId: w.nodeId }, data: { weight: w.weight } });
        }
      });
    },

    async remove(pairId: string): Promise<boolean> {
      const result = await db.pair.deleteMany({ where: { id: pairId } });
      return result.count > 0;
    },

    async pairOfNode(nodeId: string): Promise<string | null> {
      const m = await db.pairMember.findUnique({ where: { nodeId } });
      return m?.pairId ?? null;
    },

    async events(pairId: string, q: { limit: number; before?: number; kind?: string; node?: string }) {
      return db.event.findMany({
        where: {
          pairId,
          ...(q.before ? { id: { lt: q.before } } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.node ? { nodeId: q.node } : {}),
        },
        orderBy: { id: 'desc' },
        take: q.limit,
      });
    },

    async appendEvent(e: {
      at: Date;
      kind: string;
      pairId: string;
      nodeId?: string;
      actor: string;
      message: string;
      details?: Record<string, unknown>;
    }) {
      await db.event.create({
        data: {
          at: e.at,
          kind: e.kind,
          pairId: e.pairId,
          nodeId: e.nodeId ?? null,
          actor: e.actor,
          message: e.message,
          details: JSON.stringify(e.details ?? {}),
        },
      });
    },
  };
}

export type PairsRepository = ReturnType<typeof pairsRepository>;
