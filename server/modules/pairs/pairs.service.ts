import { randomUUID } from 'node:crypto';
import type { CreatePairBody, PairView, UpdatePairBody } from '../../contract/pairs.ts';
import { defaultThresholdProfile } from '../../contract/thresholds.ts';
import type { PrismaClient } from '../../db/client.ts';
import { drill } from '../../domain/ha/drill.ts';
import { createPairState, preferredMember } from '../../domain/ha/pair.ts';
import type { Outcome, PairMember, PairState } from '../../domain/ha/types.ts';
import type { Actor } from '../../plugins/actor.ts';
import type { Clock } from '../../plugins/clock.ts';
import type { IngestHub } from '../agents/ingest-hub.ts';
import type { HaEngine } from '../ha/ha-engine.ts';
import { pairView } from './pair-view.ts';
import {
  NodeAlreadyPairedError,
  NotAMemberError,
  PairNameTakenError,
  PairNodeNotFoundError,
  PreferredChangeError,
  SwitchoverBusyError,
} from './pairs.errors.ts';
import { PairConflictError, type PairsRepository } from './pairs.repository.ts';

interface Deps {
  db: PrismaClient;
  repository: PairsRepository;
  engine: HaEngine;
  hub: IngestHub;
  clock: Clock;
}

export type ActionResult = { ok: boolean; code?: string; message: string; pair: PairView };

/** Pairs: linking, settings, and the operator actions that go through the HA manager. */
export function pairsService({ db, repository, engine, hub, clock }: Deps) {
  const view = (pairId: string): PairView | null => {
    const state = engine.pair(pairId);
    const profile = engine.profile(pairId);
    return state && profile ? pairView(state, profile, hub) : null;
  };

  async function resolveNode(ref: string, field: string) {
    const node = await db.node.findFirst({ where: { OR: [{ id: ref }, { name: ref }] } });
    if (!node) throw new PairNodeNotFoundError(`${field}: no node with id or name "${ref}"`);
    return node;
  }

  function memberRef(state: PairState, ref: string): PairMember {
    const m = state.members.find((x) => x.nodeId === ref || x.name === ref);
    if (!m) throw new NotAMemberError(`node "${ref}" is not a member of pair ${state.name}`);
    return m;
  }

  async function act(
    pairId: string,
    run: (state: PairState) => Promise<Outcome | undefined>,
  ): Promise<ActionResult | null> {
    const state = engine.pair(pairId);
    if (!state) return null;
    const outcome = (await run(state)) ?? { ok: false, code: 'PAIR_NOT_FOUND', message: `pair ${pairId} not found` };
    const pair = view(pairId);
    if (!pair) return null;
    return outcome.ok
      ? { ok: true, message: outcome.message, pair }
      : { ok: false, code: outcome.code, message: outcome.message, pair };
  }

  return {
    list(): PairView[] {
      return engine
        .pairIds()
        .map(view)
        .filter((p): p is PairView => p !== null)
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    get: view,

    /** "Link HA pair": two enrolled nodes, weights 51/49 by default; auto-failover starts off (rule 1). */
    async link(body: CreatePairBody, actor: Actor): Promise<PairView> {
      const primary = await resolveNode(body.primary, 'primary');
      const secondary = await resolveNode(body.secondary, 'secondary');
      if (primary.id === secondary.id)
        throw new NodeAlreadyPairedError('primary and secondary must be two different nodes');
      for (const node of [primary, secondary]) {
        const pairId = await repository.pairOfNode(node.id);
        if (pairId)
          throw new NodeAlreadyPairedError(
            `node ${node.name} already belongs to pair ${engine.pair(pairId)?.name ?? pairId}`,
          );
      }
      const members = [
        { nodeId: primary.id, name: primary.name, weight: body.weights.primary },
        { nodeId: secondary.id, name: secondary.name, weight: body.weights.secondary },
      ];
      const state = createPairState({
        pairId: randomUUID(),
        name: body.name,
        members,
        activeNodeId: body.active === 'primary' ? primary.id : secondary.id,
        failbackPolicy: body.failbackPolicy,
        commandTimeoutMs: body.commandTimeoutMs,
      });
      const profile = body.profile ?? defaultThresholdProfile();
      try {
        await repository.create(state, profile);
      } catch (error) {
        if (error instanceof PairConflictError) {
          if (error.reason === 'name') throw new PairNameTakenError(error.message);
          throw new NodeAlreadyPairedError(error.message);
        }
        throw error;
      }
      await repository.appendEvent({
        at: new Date(clock.now()),
        kind: 'config',
        pairId: state.pairId,
        actor: actor.name,
        message: `pair ${state.name} linked by ${actor.name}: ${primary.name} (weight ${body.weights.primary}, primary) and ${secondary.name} (weight ${body.weights.secondary}); ${members.find((m) => m.nodeId === state.activeNodeId)?.name} is active; auto-failover off until an admin enables it`,
      });
      engine.addPair(state, profile);
      return view(state.pairId) as PairView;
    },

    async update(pairId: string, body: UpdatePairBody, actor: Actor): Promise<PairView | null> {
      const state = engine.pair(pairId);
      if (!state) return null;
      let members = state.members;
      if (body.weights) {
        const [primary, secondary] = state.members;
        if (!primary || !secondary) return null;
        members = [
          { ...primary, weight: body.weights.primary },
          { ...secondary, weight: body.weights.secondary },
        ];
        const before = preferredMember(state.members).nodeId;
        const after = preferredMember(members).nodeId;
        // A new preferred node with auto-failover on would fail back at once: make that an explicit choice.
        if (before !== after && state.autoFailover && after !== state.activeNodeId) {
          throw new PreferredChangeError(
            `these weights make ${members.find((m) => m.nodeId === after)?.name} the preferred node while ${state.members.find((m) => m.nodeId === state.activeNodeId)?.name ?? 'another node'} is active and auto-failover is on, which would fail back at once: disable auto-failover first, or switch over`,
          );
        }
      }
      await repository.updateConfig(pairId, {
        ...(body.weights ? { weights: members.map((m) => ({ nodeId: m.nodeId, weight: m.weight })) } : {}),
        ...(body.profile ? { profile: body.profile } : {}),
        ...(body.failbackPolicy ? { failbackPolicy: body.failbackPolicy } : {}),
        ...(body.commandTimeoutMs !== undefined ? { commandTimeoutMs: body.commandTimeoutMs } : {}),
      });
      const changed = Object.keys(body).join(', ');
      await repository.appendEvent({
        at: new Date(clock.now()),
        kind: 'config',
        pairId,
        actor: actor.name,
        message: `${changed} changed by ${actor.name}`,
        details: {
          before: {
            weights: state.members.map((m) => m.weight),
            failbackPolicy: state.failbackPolicy,
            commandTimeoutMs: state.commandTimeoutMs,
            profile: engine.profile(pairId),
          },
          after: body,
        },
      });
      await engine.reconfigure(pairId, {
        members,
        ...(body.profile ? { profile: body.profile } : {}),
        ...(body.failbackPolicy ? { failbackPolicy: body.failbackPolicy } : {}),
        ...(body.commandTimeoutMs !== undefined ? { commandTimeoutMs: body.commandTimeoutMs } : {}),
      });
      return view(pairId);
    },

    async remove(pairId: string, actor: Actor): Promise<boolean> {
      const state = engine.pair(pairId);
      if (!state) return false;
      if (state.switchover) {
        throw new SwitchoverBusyError(
          `a ${state.switchover.kind} is in progress on pair ${state.name}; delete it when it has finished`,
        );
      }
      engine.removePair(pairId);
      await repository.remove(pairId);
      await repository.appendEvent({
        at: new Date(clock.now()),
        kind: 'config',
        pairId,
        actor: actor.name,
        message: `pair ${state.name} deleted by ${actor.name}; its nodes stay enrolled`,
      });
      return true;
    },

    switchover(pairId: string, body: { to: string; force: boolean; confirmation?: string }, actor: Actor) {
      return act(pairId, (state) =>
        engine.operator(pairId, {
          type: 'switchover',
          to: memberRef(state, body.to).nodeId,
          actor: actor.name,
          actorRole: actor.role,
          force: body.force,
          ...(body.confirmation !== undefined ? { confirmation: body.confirmation } : {}),
        }),
      );
    },

    setAutoFailover(pairId: string, body: { enabled: boolean; reason?: string }, actor: Actor) {
      return act(pairId, () =>
        engine.operator(pairId, {
          type: 'set-auto-failover',
          enabled: body.enabled,
          actor: actor.name,
          ...(body.reason ? { ackReason: body.reason } : {}),
        }),
      );
    },

    setMaintenance(pairId: string, body: { enabled: boolean }, actor: Actor) {
      return act(pairId, () =>
        engine.operator(pairId, { type: 'set-maintenance', enabled: body.enabled, actor: actor.name }),
      );
    },

    acknowledgeFailover(pairId: string, reason: string, actor: Actor) {
      return act(pairId, () => engine.operator(pairId, { type: 'acknowledge-failover', actor: actor.name, reason }));
    },

    drill(pairId: string, nodeRef: string) {
      const state = engine.pair(pairId);
      if (!state) return null;
      const target = memberRef(state, nodeRef);
      const result = drill(state, target.nodeId, clock.now(), engine.fleetView());
      const name = (id: string) => state.members.find((m) => m.nodeId === id)?.name ?? id;
      return {
        summary: result.summary,
        explanation: result.explanation,
        displayAfter:
          result.displayAfter.state === 'switching'
            ? { state: 'switching' as const, kind: result.displayAfter.kind }
            : { state: result.displayAfter.state },
        commands: result.effects.flatMap((e) =>
          e.type === 'send-command' ? [{ node: name(e.nodeId), command: e.command, epoch: e.epoch }] : [],
        ),
        alerts: result.effects.flatMap((e) =>
          e.type === 'raise-alert' ? [{ kind: e.kind, severity: e.severity, message: e.message }] : [],
        ),
      };
    },

    async events(pairId: string, query: { limit: number; before?: number; kind?: string; node?: string }) {
      if (!engine.pair(pairId)) return null;
      const rows = await repository.events(pairId, query);
      return rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        kind: r.kind,
        pairId: r.pairId,
        nodeId: r.nodeId,
        actor: r.actor,
        message: r.message,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
  };
}

export type PairsService = ReturnType<typeof pairsService>;
