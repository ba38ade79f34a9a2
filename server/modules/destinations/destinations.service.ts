import { hostname } from 'node:os';
import createError from '@fastify/error';
import {
  type CreateDestinationBody,
  type DestinationKind,
  type DestinationView,
  destinationFilter,
} from '../../contract/destinations.ts';
import type { PrismaClient } from '../../db/client.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { Notification } from './notification.ts';
import { type AttemptResult, attempt, CONFIG_SCHEMAS, type SenderRegistry } from './outbox.worker.ts';

export const DestinationNotFoundError = createError('DESTINATION_NOT_FOUND', 'destination %s not found', 404);
export const DestinationNameTakenError = createError(
  'DESTINATION_NAME_TAKEN',
  'a destination named %s already exists',
  409,
);
export const DestinationConfigError = createError('VALIDATION_FAILED', '%s', 400);

export const MASK = '********';
// Keys whose values are written, never read back.
const SECRET_KEYS = new Set(['secret', 'password', 'community', 'authKey', 'privKey']);

/** Pure: the config with every secret replaced by the mask, at any depth. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEYS.has(k) && v ? MASK : maskSecrets(v),
      ]),
    );
  }
  return value;
}

/** Pure: a secret left out, or sent back as the mask, keeps its stored value. */
export function keepSecrets(next: unknown, stored: unknown): unknown {
  if (!next || typeof next !== 'object' || Array.isArray(next) || !stored || typeof stored !== 'object') return next;
  const out: Record<string, unknown> = { ...(next as Record<string, unknown>) };
  for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
    if (SECRET_KEYS.has(k) && (out[k] === undefined || out[k] === MASK)) out[k] = v;
    else if (v && typeof v === 'object' && out[k] && typeof out[k] === 'object') out[k] = keepSecrets(out[k], v);
  }
  return out;
}

type Row = Prisma.DestinationGetPayload<object>;

export function destinationsService(db: PrismaClient, clock: Clock, senders: SenderRegistry) {
  async function view(row: Row): Promise<DestinationView> {
    const [last, pending, failed] = await Promise.all([
      db.delivery.findFirst({ where: { destinationId: row.id, state: { not: 'pending' } }, orderBy: { id: 'desc' } }),
      db.delivery.count({ where: { destinationId: row.id, state: 'pending' } }),
      db.delivery.count({ where: { destinationId: row.id, state: 'failed' } }),
    ]);
    return {
      id: row.id,
      name: row.name,
      kind: row.kind as DestinationKind,
      enabled: row.enabled,
      filter: destinationFilter.parse(JSON.parse(row.filter)),
      config: maskSecrets(JSON.parse(row.config)) as Record<string, unknown>,
      lastDelivery: last
        ? {
            at: (last.deliveredAt ?? last.createdAt).toISOString(),
            state: last.state as 'pending' | 'delivered' | 'failed',
            attempts: last.attempts,
            error: last.lastError,
          }
        : null,
      pending,
      failed,
    };
  }

  const isUnique = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

  return {
    async list() {
      const rows = await db.destination.findMany({ orderBy: { name: 'asc' } });
      return Promise.all(rows.map(view));
    },

    async get(id: string) {
      const row = await db.destination.findUnique({ where: { id } });
      return row ? view(row) : null;
    },

    async create(body: CreateDestinationBody) {
      try {
        const row = await db.destination.create({
          data: {
            name: body.name,
            kind: body.kind,
            enabled: body.enabled,
            config: JSON.stringify(body.config),
            filter: JSON.stringify(body.filter),
          },
        });
        return view(row);
      } catch (error) {
        if (isUnique(error)) throw new DestinationNameTakenError(body.name);
        throw error;
      }
    },

    async update(id: string, patch: { name?: string; enabled?: boolean; filter?: unknown; config?: unknown }) {
      const row = await db.destination.findUnique({ where: { id } });
      if (!row) return null;
      let config: string | undefined;
      if (patch.config !== undefined) {
        const merged = keepSecrets(patch.config, JSON.parse(row.config));
        const parsed = CONFIG_SCHEMAS[row.kind as DestinationKind].safeParse(merged);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new DestinationConfigError(
            `invalid body: body.config.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
          );
        }
        config = JSON.stringify(parsed.data);
      }
      try {
        const updated = await db.destination.update({
          where: { id },
          data: {
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
            ...(config !== undefined ? { config } : {}),
          },
        });
        return { before: await view(row), after: await view(updated) };
      } catch (error) {
        if (isUnique(error)) throw new DestinationNameTakenError(patch.name ?? '');
        throw error;
      }
    },

    async remove(id: string) {
      const row = await db.destination.findUnique({ where: { id } });
      if (!row) return null;
      await db.destination.delete({ where: { id } });
      return maskSecrets({ name: row.name, kind: row.kind, config: JSON.parse(row.config) });
    },

    async deliveries(id: string, limit: number) {
      if (!(await db.destination.findUnique({ where: { id }, select: { id: true } }))) return null;
      const rows = await db.delivery.findMany({ where: { destinationId: id }, orderBy: { id: 'desc' }, take: limit });
      return rows.map((r) => ({
        id: r.id,
        alertId: r.alertId,
        transition: r.transition,
        idempotencyKey: r.idempotencyKey,
        state: r.state as 'pending' | 'delivered' | 'failed',
        attempts: r.attempts,
        lastError: r.lastError,
        createdAt: r.createdAt.toISOString(),
        deliveredAt: r.deliveredAt?.toISOString() ?? null,
        nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
      }));
    },

    /** "Send test": one attempt now, answered with its outcome, and recorded like any delivery. */
    async test(id: string, actor: string): Promise<(AttemptResult & { delivery: number }) | null> {
      const row = await db.destination.findUnique({ where: { id } });
      if (!row) return null;
      const kind = row.kind as DestinationKind;
      const config = CONFIG_SCHEMAS[kind].parse(JSON.parse(row.config));
      const at = new Date(clock.now());
      const key = `switchyard-test-${row.id}-${at.getTime()}`;
      const notification: Notification = {
        idempotencyKey: key,
        transition: 'test',
        at: at.toISOString(),
        alert: {
          id: 0,
          key: 'test',
          kind: 'auto-failover-logging',
          severity: 'info',
          state: 'open',
          pairId: null,
          nodeId: null,
          message: `test notification sent by ${actor} to destination ${row.name}: if you read this, delivery works`,
          ackOnly: false,
          raisedAt: at.toISOString(),
          lastRaisedAt: at.toISOString(),
          count: 1,
          clearedAt: null,
          ack: null,
        },
        pairName: null,
        nodeName: null,
        source: hostname(),
      };
      const result = await attempt(senders[kind], config, notification, config.timeoutMs);
      const delivery = await db.delivery.create({
        data: {
          destinationId: row.id,
          transition: 'test',
          idempotencyKey: key,
          payload: JSON.stringify(notification),
          state: result.ok ? 'delivered' : 'failed',
          attempts: 1,
          lastError: result.ok ? null : result.error,
          createdAt: at,
          deliveredAt: result.ok ? new Date(clock.now()) : null,
        },
      });
      return { ...result, delivery: delivery.id };
    },
  };
}

export type DestinationsService = ReturnType<typeof destinationsService>;
