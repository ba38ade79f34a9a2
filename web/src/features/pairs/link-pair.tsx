import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { nodeList } from '../../../../server/contract/nodes.ts';
import { createPairBody, pairView } from '../../../../server/contract/pairs.ts';
import { defaultThresholdProfile, type ThresholdProfile } from '../../../../server/contract/thresholds.ts';
import { ErrorMessage } from '../../components/ui.tsx';
import { api, errorText } from '../../lib/api-client.ts';
import { rememberPair, useLive } from '../../lib/live.ts';
import { navigate, useTitle } from '../../lib/router.ts';
import { ThresholdEditor } from './threshold-editor.tsx';

type Node = z.infer<typeof nodeList>['nodes'][number];

/** "Link HA pair": two nodes, weights 51/49, a threshold profile; auto-failover starts off. */
export function LinkPairWizard() {
  useTitle('Link HA pair');
  const live = useLive();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [step, setStep] = useState<1 | 2>(1);
  const [name, setName] = useState('');
  const [primary, setPrimary] = useState('');
  const [secondary, setSecondary] = useState('');
  const [weights, setWeights] = useState({ primary: '51', secondary: '49' });
  const [profile, setProfile] = useState<ThresholdProfile>(defaultThresholdProfile());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api('GET', '/nodes', undefined, nodeList)
      .then((r) => setNodes(r.nodes))
      .catch((e) => setError(errorText(e)));
  }, []);
  const paired = new Set(Object.values(live.pairs).flatMap((p) => p.members.map((m) => m.nodeId)));
  const free = nodes.filter((n) => !paired.has(n.id));

  const body = {
    name,
    primary,
    secondary,
    weights: { primary: Number(weights.primary), secondary: Number(weights.secondary) },
    profile,
  };
  const check = createPairBody.safeParse(body);
  const firstProblem = check.success ? null : check.error.issues[0];

  return (
    <section aria-labelledby="link-title" className="card">
      <h1 id="link-title">Link HA pair</h1>
      {step === 1 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setStep(2);
          }}
        >
          <label>
            Pair name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Primary node
            <select value={primary} onChange={(e) => setPrimary(e.target.value)} required>
              <option value="">choose a node</option>
              {free.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name} ({n.address})
                </option>
              ))}
            </select>
          </label>
          <label>
            Secondary node
            <select value={secondary} onChange={(e) => setSecondary(e.target.value)} required>
              <option value="">choose a node</option>
              {free
                .filter((n) => n.id !== primary)
                .map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name} ({n.address})
                  </option>
                ))}
            </select>
          </label>
          <div className="row">
            <label>
              Primary weight
              <input
                inputMode="numeric"
                value={weights.primary}
                onChange={(e) => setWeights({ ...weights, primary: e.target.value })}
              />
            </label>
            <label>
              Secondary weight
              <input
                inputMode="numeric"
                value={weights.secondary}
                onChange={(e) => setWeights({ ...weights, secondary: e.target.value })}
              />
            </label>
          </div>
          <p className="muted">
            The node with the higher weight is the preferred active. Auto-failover starts off: enable it on the pair
            once both nodes are Up.
          </p>
          {firstProblem && firstProblem.path[0] !== 'profile' && name && primary && secondary && (
            <p className="error-text" role="alert">
              {firstProblem.path.join('.')}: {firstProblem.message}
            </p>
          )}
          <button type="submit" className="primary" disabled={!name || !primary || !secondary}>
            Next: thresholds
          </button>
        </form>
      )}
      {step === 2 && (
        <>
          <p>
            Thresholds of pair <strong>{name}</strong>. The seed's default is 5 × 10 s: Down 50 s after the last healthy
            heartbeat.
          </p>
          <ThresholdEditor
            value={profile}
            saveLabel="Link the pair"
            onSave={(p) => {
              setProfile(p);
              void (async () => {
                setError(null);
                try {
                  const pair = await api('POST', '/pairs', { ...body, profile: p }, pairView);
                  rememberPair(pair);
                  navigate(`/pairs/${pair.id}`);
                } catch (e) {
                  setError(errorText(e));
                }
              })();
            }}
          />
          <button type="button" onClick={() => setStep(1)}>
            Back
          </button>
        </>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
