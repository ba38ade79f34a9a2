import { useState } from 'react';
import {
  detectionText,
  type RoleProfile,
  type ThresholdProfile,
  thresholdProfile,
} from '../../../../server/contract/thresholds.ts';

type Role = 'active' | 'passive';
type Kind = 'up' | 'down' | 'downHeartbeat';

const KINDS: { kind: Kind; label: string; signal: 'Up' | 'Down' | 'DownHeartbeat' }[] = [
  { kind: 'up', label: 'Up', signal: 'Up' },
  { kind: 'down', label: 'Down', signal: 'Down' },
  { kind: 'downHeartbeat', label: 'Down-Heartbeat', signal: 'DownHeartbeat' },
];

/** Interval as the editor shows it: seconds with up to 3 decimals. */
const toSeconds = (ms: number) => String(Number((ms / 1000).toFixed(3)));

/**
 * The six conditions with their beats and intervals, and the detection time
 * each gives ("Down after 5 × 10 s = 50 s"). Invalid values are refused with
 * the same zod schema the server uses, next to the field.
 */
export function ThresholdEditor({
  value,
  onSave,
  saving,
  saveLabel = 'Save thresholds',
}: {
  value: ThresholdProfile;
  onSave?: (profile: ThresholdProfile) => void;
  saving?: boolean;
  saveLabel?: string;
}) {
  const [draft, setDraft] = useState<Record<string, string>>(() => {
    const d: Record<string, string> = {};
    for (const role of ['active', 'passive'] as Role[]) {
      for (const { kind } of KINDS) {
        d[`${role}.${kind}.beats`] = String(value[role][kind].beats);
        d[`${role}.${kind}.interval`] = toSeconds(value[role][kind].intervalMs);
      }
      d[`${role}.downHeartbeat.enabled`] = String(value[role].downHeartbeat.enabled);
    }
    return d;
  });

  const candidate = {
    active: roleFrom('active'),
    passive: roleFrom('passive'),
  };
  function roleFrom(role: Role): RoleProfile {
    const n = (key: string) => (draft[key]?.trim() === '' ? Number.NaN : Number(draft[key]));
    const cond = (kind: Kind) => ({
      beats: n(`${role}.${kind}.beats`),
      intervalMs: Math.round(n(`${role}.${kind}.interval`) * 1000),
    });
    return {
      up: cond('up'),
      down: cond('down'),
      downHeartbeat: { ...cond('downHeartbeat'), enabled: draft[`${role}.downHeartbeat.enabled`] === 'true' },
    };
  }
  const parsed = thresholdProfile.safeParse(candidate);
  const problems = new Map<string, string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [role, kind, field] = issue.path.map(String);
      const key = `${role}.${kind}.${field === 'intervalMs' ? 'interval' : field}`;
      if (!problems.has(key)) problems.set(key, issue.message);
    }
  }
  const set = (key: string, v: string) => setDraft((d) => ({ ...d, [key]: v }));

  return (
    <form
      className="thresholds"
      aria-label="threshold profile"
      onSubmit={(e) => {
        e.preventDefault();
        if (parsed.success) onSave?.(parsed.data);
      }}
    >
      {(['active', 'passive'] as Role[]).map((role) => (
        <fieldset key={role}>
          <legend>{role === 'active' ? 'Active node' : 'Passive node'}</legend>
          {KINDS.map(({ kind, label, signal }) => {
            const beatsKey = `${role}.${kind}.beats`;
            const intervalKey = `${role}.${kind}.interval`;
            const c = candidate[role][kind];
            const ok = !problems.has(beatsKey) && !problems.has(intervalKey);
            const off = kind === 'downHeartbeat' && draft[`${role}.downHeartbeat.enabled`] !== 'true';
            return (
              <div key={kind} className="condition">
                <span className="condition-name">
                  {role === 'active' ? 'Active' : 'Passive'}
                  {signal}
                </span>
                <label>
                  {label} beats
                  <input
                    inputMode="numeric"
                    value={draft[beatsKey]}
                    aria-invalid={problems.has(beatsKey)}
                    aria-describedby={`${beatsKey}-help`}
                    onChange={(e) => set(beatsKey, e.target.value)}
                  />
                </label>
                <label>
                  {label} interval (s)
                  <input
                    inputMode="decimal"
                    value={draft[intervalKey]}
                    aria-invalid={problems.has(intervalKey)}
                    aria-describedby={`${beatsKey}-help`}
                    onChange={(e) => set(intervalKey, e.target.value)}
                  />
                </label>
                {kind !== 'downHeartbeat' && <span aria-hidden="true" />}
                {kind === 'downHeartbeat' && (
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={!off}
                      onChange={(e) => set(`${role}.downHeartbeat.enabled`, String(e.target.checked))}
                    />
                    on
                  </label>
                )}
                <span id={`${beatsKey}-help`} className={ok ? 'muted' : 'error-text'} role={ok ? undefined : 'alert'}>
                  {ok
                    ? off
                      ? 'DownHeartbeat off'
                      : detectionText(signal, c)
                    : `${label}: ${problems.get(beatsKey) ?? problems.get(intervalKey)}`}
                </span>
              </div>
            );
          })}
        </fieldset>
      ))}
      {onSave && (
        <button type="submit" className="primary" disabled={!parsed.success || saving}>
          {saveLabel}
        </button>
      )}
    </form>
  );
}
