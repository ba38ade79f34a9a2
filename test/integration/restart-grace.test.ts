import { describe, expect, it } from 'vitest';
import { injectAsAdmin } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startTestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

describe('after a server restart', () => {
  it('judges nodes not heard from yet only after the restart grace: no alert storm while agents reconnect', async () => {
    const temp = makeTempDir();
    const role = {
      up: { beats: 1, intervalMs: 100 },
      down: { beats: 2, intervalMs: 100 },
      downHeartbeat: { enabled: false, beats: 1, intervalMs: 100 },
    };
    const first = await startTestApp({}, { dir: temp.path });
    for (const name of ['g-1', 'g-2']) {
      await injectAsAdmin(first.app, { method: 'POST', url: '/api/v1/nodes', payload: { name, address: 'h' } });
    }
    const linked = await injectAsAdmin(first.app, {
      method: 'POST',
      url: '/api/v1/pairs',
      payload: { name: 'grace', primary: 'g-1', secondary: 'g-2', profile: { active: role, passive: role } },
    });
    const pairId = linked.json().id;
    // a pair linked while running has no grace: its silent members are Down after 2 × 100 ms
    await waitFor('Down before the restart', async () => {
      const events = (await injectAsAdmin(first.app, { url: `/api/v1/pairs/${pairId}/events?kind=signal` })).json()
        .events;
      return events.some((e: { message: string }) => e.message.startsWith('Down(g-1)'));
    });
    await first.app.close();

    const graceMs = 1500;
    const restartedAt = Date.now();
    const second = await startTestApp({}, { dir: temp.path, ha: { restartGraceMs: graceMs } });
    try {
      const downs = () =>
        injectAsAdmin(second.app, { url: `/api/v1/pairs/${pairId}/events?kind=signal&limit=10` }).then(
          (r) =>
            r
              .json()
              .events.filter(
                (e: { message: string; at: string }) =>
                  e.message.startsWith('Down(') && Date.parse(e.at) >= restartedAt,
              ) as { details: { at: number } }[],
        );
      const after = await waitFor(
        'Down again, after the grace',
        async () => ((await downs()).length === 2 ? downs() : undefined),
        {
          timeoutMs: 10_000,
        },
      );
      for (const d of after) expect(d.details.at - restartedAt).toBeGreaterThanOrEqual(graceMs + 200);
    } finally {
      await second.close();
      temp.cleanup();
    }
  });
});
