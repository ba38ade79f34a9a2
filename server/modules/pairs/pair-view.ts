import type { PairView } from '../../contract/pairs.ts';
import { detectionText, type ThresholdProfile } from '../../contract/thresholds.ts';
import { displayState } from '../../domain/ha/display.ts';
import { preferredMember, viewOf } from '../../domain/ha/pair.ts';
import type { PairState } from '../../domain/ha/types.ts';
import type { IngestHub } from '../agents/ingest-hub.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function detection(profile: ThresholdProfile['active']) {
  return {
    up: detectionText('Up', profile.up),
    down: detectionText('Down', profile.down),
    downHeartbeat: profile.downHeartbeat.enabled
      ? detectionText('DownHeartbeat', profile.downHeartbeat)
      : 'DownHeartbeat off',
  };
}

/** What the API, the live feed and the UI show of a pair. */
export function pairView(s: PairState, profile: ThresholdProfile, hub: IngestHub): PairView {
  const preferred = preferredMember(s.members).nodeId;
  const display = displayState(s);
  return {
    id: s.pairId,
    name: s.name,
    display: display.state === 'switching' ? { state: 'switching', kind: display.kind } : { state: display.state },
    epoch: s.epoch,
    activeNodeId: s.activeNodeId,
    autoFailover: s.autoFailover,
    maintenance: s.maintenance,
    failbackPolicy: s.failbackPolicy,
    commandTimeoutMs: s.commandTimeoutMs,
    profile,
    detection: { active: detection(profile.active), passive: detection(profile.passive) },
    members: s.members.map((m) => {
      const v = viewOf(s, m.nodeId);
      const live = hub.live(m.nodeId);
      return {
        nodeId: m.nodeId,
        name: m.name,
        weight: m.weight,
        preferred: m.nodeId === preferred,
        role: m.nodeId === s.activeNodeId ? 'active' : 'passive',
        verdict: v.verdict,
        stable: v.stable,
        connected: v.connected,
        upSince: iso(v.upSince),
        downSince: iso(v.downSince),
        unstableSince: iso(v.unstableSince),
        lastHeartbeatAt: iso(live?.lastHeartbeat?.receivedAt),
        lastHealthy: live?.lastHeartbeat?.body.healthy ?? null,
        reportedRole: v.reportedRole,
        reportedEpoch: v.reportedEpoch,
      };
    }),
    switchover: s.switchover
      ? {
          id: s.switchover.id,
          kind: s.switchover.kind,
          from: s.switchover.from,
          to: s.switchover.to,
          epoch: s.switchover.epoch,
          step: s.switchover.step,
          startedAt: new Date(s.switchover.startedAt).toISOString(),
          stepDeadlineAt: new Date(s.switchover.stepDeadlineAt).toISOString(),
          reason: s.switchover.reason,
        }
      : null,
    pendingFailoverAck: s.pendingFailoverAck
      ? { at: new Date(s.pendingFailoverAck.at).toISOString(), to: s.pendingFailoverAck.to }
      : null,
    hold: s.hold
      ? { guard: s.hold.guard, since: new Date(s.hold.since).toISOString(), explanation: s.hold.explanation }
      : null,
    outageSince: iso(s.outageSince),
  };
}
