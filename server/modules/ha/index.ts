import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { BrakeConfig, MassFailureConfig } from '../../domain/fleet/brake.ts';
import type { Signal } from '../../domain/thresholds/evaluator.ts';
import { pairsRepository } from '../pairs/pairs.repository.ts';
import { prismaHaStore } from './ha.store.ts';
import { HaEngine, type PairChange } from './ha-engine.ts';

export interface HaOptions {
  brake?: BrakeConfig;
  massFailure?: MassFailureConfig;
  /** silence of never-heard nodes is judged only this long after a restart (default 30 s) */
  restartGraceMs?: number;
}

/** Listeners of the engine's changes (the live feed, metrics). */
export interface HaEvents {
  pairChanged: Set<(change: PairChange) => void>;
  signal: Set<(pairId: string, signal: Signal) => void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    ha: HaEngine;
    haEvents: HaEvents;
  }
}

/**
 * The HA manager at work: loads every pair's durable state, resumes from it
 * (SPEC rule 9), and takes heartbeats, connections and command results from
 * agent ingest. Closes before the database does.
 */
export default fp<HaOptions>(
  async function haPlugin(app: FastifyInstance, options) {
    const events: HaEvents = { pairChanged: new Set(), signal: new Set() };
    const engine = new HaEngine({
      clock: app.clock,
      store: prismaHaStore(app.db),
      commands: app.agentChannel,
      log: app.log.child({ module: 'ha' }),
      ...(options.brake ? { brake: options.brake } : {}),
      ...(options.massFailure ? { massFailure: options.massFailure } : {}),
      ...(options.restartGraceMs !== undefined ? { restartGraceMs: options.restartGraceMs } : {}),
      onPairChange: (change) => {
        for (const listener of events.pairChanged) listener(change);
      },
      onSignal: (pairId, signal) => {
        for (const listener of events.signal) listener(pairId, signal);
      },
      nodeNow: (nodeId) => {
        const live = app.ingest.live(nodeId);
        if (!live) return null;
        const body = live.lastHeartbeat?.body;
        return { connected: live.connected, role: body?.role ?? 'unknown', epoch: body?.epoch ?? 0 };
      },
    });
    app.decorate('ha', engine);
    app.decorate('haEvents', events);

    const removeListener = app.ingest.addListener({
      heartbeat: (beat) => engine.heartbeat(beat.nodeId, beat.receivedAt, beat.body),
      connection: (nodeId, connected) => engine.connection(nodeId, connected),
    });

    const began = performance.now();
    const loaded = await pairsRepository(app.db).loadAll();
    const loadedAt = performance.now();
    await engine.start(loaded);
    app.log.info(
      {
        pairs: loaded.length,
        loadMs: Math.round(loadedAt - began),
        resumeMs: Math.round(performance.now() - loadedAt),
      },
      'HA manager started: waiting for verdicts before any automatic action',
    );

    app.addHook('preClose', async () => {
      removeListener();
      engine.stop();
    });
    app.addHook('onClose', async () => {
      await engine.idle();
    });
  },
  { name: 'ha', dependencies: ['database', 'clock', 'agents'] },
);
