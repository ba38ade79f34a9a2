import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusView } from '../../server/cli/responses.ts';
import type { PairView } from '../../server/contract/pairs.ts';
import { demoPaths, readDemoState } from '../../server/demo/demo-folder.ts';
import { isRunning } from '../../server/demo/processes.ts';
import { runCli } from '../helpers/cli-process.ts';
import { type DemoProcess, killLeftoverAgents, runNpmDemo, startDemo } from '../helpers/demo-process.ts';
import { activeName } from '../helpers/ha-cluster.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

// The README's "Try it: the demo" steps, programmatically: the demo's real entry (port 0, a
// temporary folder), kill -9 of db-1's agent, `switchyard status --json`, hooks.log, the
// restart command, re-enabling auto-failover through the CLI, the failback, Ctrl-C.

const member = (p: PairView, name: string) => p.members.find((m) => m.name === name);
const upAndStable = (p: PairView, name: string) => member(p, name)?.verdict === 'up' && member(p, name)?.stable;

describe('npm run demo', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dir: string;
  const demos: DemoProcess[] = [];

  const launch = () => {
    const demo = startDemo(dir);
    demos.push(demo);
    return demo;
  };
  const state = () => {
    const s = readDemoState(demoPaths(dir));
    if (!s) throw new Error('no demo.json');
    return s;
  };
  // the demo writes an admin API token for the CLI; the README's first step exports it
  const cliToken = () => readFileSync(join(dir, 'cli-token'), 'utf8').trim();
  const hooks = () => (existsSync(join(dir, 'hooks.log')) ? readFileSync(join(dir, 'hooks.log'), 'utf8') : '');
  async function pair(url: string): Promise<PairView> {
    const run = await runCli(['status', '--json'], { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: cliToken() });
    expect(run.code, run.stderr).toBe(0);
    const [p] = statusView.parse(JSON.parse(run.stdout)).pairs;
    if (!p) throw new Error('the demo has no pair');
    return p;
  }
  const waitForPair = (url: string, what: string, predicate: (p: PairView) => boolean) =>
    waitFor(
      what,
      async () => {
        const p = await pair(url);
        return predicate(p) ? p : undefined;
      },
      { timeoutMs: 20_000, everyMs: 100 },
    );

  beforeEach(() => {
    temp = makeTempDir();
    dir = join(temp.path, 'demo');
  });
  afterEach(async () => {
    for (const demo of demos.splice(0)) await demo.stop('SIGTERM');
    killLeftoverAgents(dir);
    temp.cleanup();
  });

  it('fails over when db-1’s agent is killed, and fails back once it is restarted and auto-failover re-enabled', async () => {
    const demo = launch();
    await demo.waitForOutput('Ctrl-C stops the server and the agents.');
    const { url, agents } = state();
    const db1 = agents['db-1']?.pid;
    const db2 = agents['db-2']?.pid;
    // the banner gives the newcomer everything the next steps need
    expect(demo.output()).toContain(`export SWITCHYARD_URL=${url}`);
    expect(demo.output()).toContain(`kill -9 ${db1}`);
    expect(demo.output()).toContain(`cat ${join(dir, 'hooks.log')}`);
    expect(demo.output()).toContain(`SWITCHYARD_DEMO_DIR=${dir} npm run demo -- restart-agent db-1`);
    expect(demo.output()).toContain('npx switchyard auto-failover demo on --reason "db-1 is back"');

    const ready = await waitForPair(url, 'both members Up', (p) => p.display.state === 'normal');
    expect(ready).toMatchObject({ name: 'demo', autoFailover: true, epoch: 0 });
    expect(activeName(ready)).toBe('db-1');

    // step: kill -9 of db-1's agent
    process.kill(db1 ?? 0, 'SIGKILL');
    const failedOver = await waitForPair(
      url,
      'the failover to db-2',
      (p) => activeName(p) === 'db-2' && p.switchover === null,
    );
    expect(failedOver).toMatchObject({ epoch: 1, autoFailover: false, display: { state: 'failed-over' } });
    await waitFor('the promote hook in hooks.log', () => hooks().includes('db-2 promote epoch=1'));
    expect(hooks()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ db-2 promote epoch=1$/m);
    await demo.waitForOutput('[decision] failover db-1 → db-2');

    // step: restart db-1's agent the way the README says
    const restarted = await runNpmDemo(['restart-agent', 'db-1'], dir);
    expect(restarted.code, restarted.stderr).toBe(0);
    const newPid = Number(/db-1's agent started again: pid (\d+)/.exec(restarted.stdout)?.[1]);
    expect(newPid).toBe(state().agents['db-1']?.pid);
    const again = await runNpmDemo(['restart-agent', 'db-1'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`db-1's agent is already running (pid ${newPid})`);

    await waitFor('db-1 demoted on its return', () => hooks().includes('db-1 demote epoch=1'));
    await waitForPair(url, 'db-1 Up again', (p) => upAndStable(p, 'db-1') === true);

    // step: re-enable auto-failover, with a reason, through the CLI
    const enabled = await runCli(['auto-failover', 'demo', 'on', '--reason', 'db-1 is back'], {
      SWITCHYARD_URL: url,
      SWITCHYARD_TOKEN: cliToken(),
    });
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toContain('auto-failover enabled; failback to db-1 started');
    const back = await waitForPair(url, 'the failback', (p) => activeName(p) === 'db-1' && p.switchover === null);
    expect(back).toMatchObject({ epoch: 2, autoFailover: true, display: { state: 'normal' } });
    await waitFor('db-1 promoted at epoch 2', () => hooks().includes('db-1 promote epoch=2'));
    expect(hooks()).toContain('db-2 demote epoch=2');

    // Ctrl-C stops everything it started, including the agent restart-agent started
    expect(await demo.stop('SIGINT')).toBe(0);
    expect(demo.output()).toContain('demo stopped.');
    for (const [pid, config] of [
      [newPid, agents['db-1']?.config],
      [db2, agents['db-2']?.config],
    ] as const) {
      expect(isRunning(pid ?? 0, config ?? '')).toBe(false);
    }
  });

  it('a second start resets the folder; a start while one runs is refused; leftovers of a killed demo are stopped', async () => {
    const first = launch();
    await first.waitForOutput('Ctrl-C stops the server and the agents.');
    const firstState = state();

    const concurrent = launch();
    expect(await concurrent.exited).toBe(1);
    expect(concurrent.output()).toContain(`demo: a demo is already running in ${dir} (pid ${firstState.pid}`);

    // a demo that dies without cleaning up leaves its agents behind: the next start stops them
    expect(await first.stop('SIGKILL')).toBe(null);
    const orphans = Object.values(firstState.agents);
    expect(orphans.every((a) => isRunning(a.pid ?? 0, a.config))).toBe(true);

    const second = launch();
    await second.waitForOutput('Ctrl-C stops the server and the agents.');
    expect(orphans.some((a) => isRunning(a.pid ?? 0, a.config))).toBe(false);
    expect(state().pid).not.toBe(firstState.pid);
    const fresh = await pair(state().url);
    expect(fresh).toMatchObject({ name: 'demo', epoch: 0 });
    expect(hooks()).toBe('');
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
