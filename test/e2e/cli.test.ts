import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertList, brakeView, eventPage, pairList, statusView } from '../../server/cli/responses.ts';
import { alertView } from '../../server/contract/alerts.ts';
import { errorBody } from '../../server/contract/errors.ts';
import { nodeList, nodeView, nodeWithToken } from '../../server/contract/nodes.ts';
import { drillView, outcomeView, type PairView, pairView } from '../../server/contract/pairs.ts';
import { adminToken, userWithToken } from '../helpers/auth.ts';
import { type CliRun, runCli } from '../helpers/cli-process.ts';
import { activeName, type Cluster, startCluster } from '../helpers/ha-cluster.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

// The real bin as a child process against the real server on loopback, with two
// real agents (db-1, db-2, pair "orders", thresholds 3 × 1 s) so that members are Up.

const bothUp = (p: PairView) => p.members.every((m) => m.verdict === 'up' && m.stable) && p.display.state === 'normal';

describe('switchyard CLI against a real server', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let t: TestApp;
  let c: Cluster;
  let url: string;
  /** Authorization header of every request the server received, in order */
  const authorizations: (string | undefined)[] = [];

  let token = '';
  const cli = (...args: string[]) => runCli(args, { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: token });
  const json = (run: CliRun) => JSON.parse(run.stdout) as unknown;
  /** table columns are padded: compare with single spaces */
  const squeeze = (text: string) => text.replace(/ +/g, ' ');
  const ok = (run: CliRun) => {
    expect(run.stderr, run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run;
  };
  /** a refusal: exit 1, one line on stderr */
  const refused = (run: CliRun, message: string) => {
    expect(run.code, run.stdout).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  };

  beforeAll(async () => {
    temp = makeTempDir();
    t = await startTestApp(
      {},
      {
        listen: true,
        dir: temp.path,
        // Seen at the socket, before any route: the CLI's headers exactly as sent.
        setup: (app) => app.server.on('request', (req) => authorizations.push(req.headers.authorization)),
      },
    );
    url = baseUrl(t.app);
    token = await adminToken(t.app);
    c = await startCluster({ baseUrl: url, token, dir: temp.path });
    await c.waitForPair('both members Up', bothUp);
  });

  afterAll(async () => {
    await c?.stopAll();
    await t?.app.close();
    temp?.cleanup();
  });

  it('help exits 0; a usage error exits 2 with the usage of that command', async () => {
    const help = ok(await cli('--help'));
    expect(help.stdout).toContain('usage: switchyard <command> [options]');

    const missing = await cli('switchover', 'orders');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('switchyard: missing <node>');
    expect(missing.stderr).toContain('usage: switchyard switchover <pair> <node> [--force --confirm <node-name>]');

    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');

    const badValue = await cli('auto-failover', 'orders', 'maybe');
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('must be "on" or "off"');
    expect(badValue.stdout).toBe('');
  });

  it('status: each pair, its members’ verdict, stability and last heartbeat, alerts and brake; --json matches the contract', async () => {
    const text = squeeze(ok(await cli('status')).stdout);
    expect(text).toContain('pair orders: normal, active db-1, epoch 0, auto-failover off, maintenance off');
    expect(text).toContain('NODE ROLE WEIGHT VERDICT STABILITY AGENT LAST HEARTBEAT');
    expect(text).toMatch(/db-1 active 51 preferred up stable connected \d+\.\d s ago, healthy/);
    expect(text).toMatch(/db-2 passive 49 up stable connected \d+\.\d s ago, healthy/);
    expect(text).toContain('open alerts: 0');
    expect(text).toContain('global brake: not engaged');

    const status = statusView.parse(json(ok(await cli('status', '--json'))));
    expect(status.pairs.map((p) => p.name)).toEqual(['orders']);
  });

  it('nodes: list, add (token once), rotate-token, revoke-token, by name or id', async () => {
    const list = ok(await cli('nodes')).stdout;
    expect(list).toMatch(/^NAME {2}ADDRESS/);
    expect(squeeze(list)).toContain('db-1 127.0.0.1 connected (0.1.0)');
    expect(nodeList.parse(json(ok(await cli('nodes', 'list', '--json')))).nodes).toHaveLength(2);

    const added = ok(await cli('nodes', 'add', 'db-3', '10.0.0.3')).stdout;
    expect(added).toContain('node db-3 enrolled');
    expect(added).toContain('This token is shown only once');
    const firstToken = /token: (\S+)/.exec(added)?.[1];
    expect(firstToken).toMatch(/^sya_/);
    const db4 = nodeWithToken.parse(json(ok(await cli('nodes', 'add', 'db-4', '10.0.0.4', '--json'))));
    refused(await cli('nodes', 'add', 'db-3', '10.0.0.3'), 'switchyard: a node named db-3 already exists');
    refused(await cli('nodes', 'add', 'db 5', '10.0.0.5'), 'invalid body: body.name: must be 1 to 63 letters');

    const rotated = ok(await cli('nodes', 'rotate-token', 'db-3')).stdout;
    expect(rotated).toContain('new token for node db-3');
    expect(/token: (\S+)/.exec(rotated)?.[1]).not.toBe(firstToken);
    expect(nodeWithToken.parse(json(ok(await cli('nodes', 'rotate-token', db4.node.id, '--json')))).token).not.toBe(
      db4.token,
    );

    expect(ok(await cli('nodes', 'revoke-token', 'db-3')).stdout).toContain('token of node db-3 revoked');
    const revoked = nodeView.parse(json(ok(await cli('nodes', 'revoke-token', 'db-4', '--json'))));
    expect(revoked.token.state).toBe('revoked');
    refused(await cli('nodes', 'rotate-token', 'nope'), 'no node named "nope" (nodes: db-1, db-2, db-3, db-4)');
  });

  it('pairs: list, show by name or id, link with weights and thresholds; refusals carry the server’s message', async () => {
    const list = ok(await cli('pairs')).stdout;
    expect(squeeze(list)).toContain('orders normal db-1 0 off off db-1 (51), db-2 (49)');
    const [orders] = pairList.parse(json(ok(await cli('pairs', 'list', '--json')))).pairs;

    const shown = ok(await cli('pairs', 'show', 'orders')).stdout;
    expect(shown).toContain(`pair orders (id ${orders?.id})`);
    expect(shown).toContain('Down after 3 × 1 s = 3 s');
    expect(pairView.parse(json(ok(await cli('pairs', 'show', orders?.id ?? '', '--json')))).name).toBe('orders');
    refused(await cli('pairs', 'show', 'nope'), 'switchyard: no pair named "nope" (pairs: orders)');

    // db-3 and db-4 have no agent: with 2 × 500 ms they are Down a second after linking
    const linked = ok(
      await cli('pairs', 'link', 'spare', 'db-3', 'db-4', '--weights', '60/40', '--thresholds', '2x500ms'),
    );
    expect(linked.stdout).toContain('pair spare linked');
    expect(linked.stdout).toContain('Down after 2 × 500 ms = 1 s');
    expect(linked.stdout).toContain('60 preferred');
    for (const name of ['db-5', 'db-6']) ok(await cli('nodes', 'add', name, '10.0.0.9'));
    const other = pairView.parse(json(ok(await cli('pairs', 'link', 'other', 'db-5', 'db-6', '--json'))));
    expect(other.members.map((m) => [m.name, m.weight])).toEqual([
      ['db-5', 51],
      ['db-6', 49],
    ]);
    refused(
      await cli('pairs', 'link', 'again', 'db-1', 'db-3'),
      'switchyard: node db-1 already belongs to pair orders',
    );
  });

  it('switchover: to a node that is not Up is refused with the manager’s reason; to an Up node it happens', async () => {
    refused(await cli('switchover', 'spare', 'db-4'), 'only an admin can force a switchover to it, by typing its name');
    refused(
      await cli('switchover', 'spare', 'db-4', '--force', '--confirm', 'db-x'),
      'switchyard: type the node name "db-4" to confirm',
    );
    const asJson = await cli('switchover', 'spare', 'db-4', '--json');
    expect(asJson.code).toBe(1);
    expect(errorBody.parse(json(asJson))).toMatchObject({ statusCode: 409, code: 'TARGET_NOT_UP' });
    refused(await cli('switchover', 'nope', 'db-2'), 'no pair named "nope"');
    refused(await cli('switchover', 'orders', 'db-9'), 'node "db-9" is not a member of pair orders');

    const waited = ok(await cli('switchover', 'orders', 'db-2', '--wait')).stdout;
    expect(waited).toContain('manual switchover db-1 → db-2 requested by admin');
    expect(waited).toContain('db-2 is now the active node of pair orders (epoch 1)');
    expect(c.hooks()).toContainEqual({ node: 'db-2', hook: 'promote', epoch: 1, phase: 'done' });

    const back = outcomeView.parse(json(ok(await cli('switchover', 'orders', 'db-1', '--json'))));
    expect(back).toMatchObject({ ok: true, pair: { display: { state: 'switching', kind: 'manual' } } });
    await c.waitForPair('db-1 active again', (p) => activeName(p) === 'db-1' && !p.switchover);
  });

  it('auto-failover and maintenance on/off', async () => {
    const on = ok(await cli('auto-failover', 'orders', 'on', '--reason', 'tested by the CLI')).stdout;
    expect(on).toBe(
      'auto-failover enabled\npair orders: normal, active db-1, epoch 2, auto-failover on, maintenance off\n',
    );
    const off = outcomeView.parse(json(ok(await cli('auto-failover', 'orders', 'off', '--json'))));
    expect(off).toMatchObject({ ok: true, message: 'auto-failover disabled', pair: { autoFailover: false } });

    expect(ok(await cli('maintenance', 'orders', 'on')).stdout).toContain(
      'pair orders: maintenance, active db-1, epoch 2, auto-failover off, maintenance on',
    );
    const mOff = outcomeView.parse(json(ok(await cli('maintenance', 'orders', 'off', '--json'))));
    expect(mOff.pair.maintenance).toBe(false);
    refused(await cli('maintenance', 'nope', 'on'), 'no pair named "nope"');
  });

  it('events with their explanations, oldest first; drill changes nothing', async () => {
    const events = ok(await cli('events', 'orders', '--limit', '50')).stdout;
    expect(events).toContain('decision  by admin  (rule 5)');
    expect(events).toContain('    manual switchover db-1 → db-2 requested by admin');
    expect(events.indexOf('db-1 → db-2 requested')).toBeLessThan(events.indexOf('db-2 → db-1 requested'));
    const page = eventPage.parse(json(ok(await cli('events', 'orders', '--kind', 'switchover-completed', '--json'))));
    expect(page.events.map((e) => e.kind)).toEqual(['switchover-completed', 'switchover-completed']);
    const limited = eventPage.parse(json(ok(await cli('events', 'orders', '--limit', '2', '--json'))));
    expect(limited.events).toHaveLength(2);
    expect(limited.nextBefore).toBe(limited.events[1]?.id);

    const drill = ok(await cli('drill', 'orders', 'db-1')).stdout;
    expect(drill).toContain('drill: what if db-1 failed now in pair orders? (a simulation: nothing was changed)');
    // which guard holds depends on the fleet at that moment (the silent pair linked earlier may make
    // most paired nodes look down: the mass-failure guard); what matters is that nothing would move
    expect(drill).toMatch(/no switchover: no failover: .*; active node db-1 is Down \(drill: db-1 fails at/);
    expect(drillView.parse(json(ok(await cli('drill', 'orders', 'db-2', '--json')))).summary).toBeTruthy();
    refused(await cli('drill', 'orders', 'db-9'), 'node "db-9" is not a member of pair orders');
    expect((await c.pair()).epoch).toBe(2);
  });

  it('alerts and ack', async () => {
    await waitFor('the spare pair’s node-down alerts', async () => {
      const r = await c.api<{ alerts: { kind: string }[] }>('GET', '/alerts');
      return r.body.alerts.some((a) => a.kind === 'node-down');
    });
    const text = squeeze(ok(await cli('alerts')).stdout);
    expect(text).toContain('critical open node-down spare db-3');
    expect(text).toContain('acknowledge one with: switchyard ack <id> --comment');
    const open = alertList.parse(json(ok(await cli('alerts', '--pair', 'spare', '--json')))).alerts;
    const down = open.find((a) => a.kind === 'node-down' && a.severity === 'critical');
    expect(down).toBeDefined();

    const acked = ok(await cli('ack', String(down?.id), '--comment', 'db-3 is a lab box')).stdout;
    expect(acked).toBe(
      `alert ${down?.id} (node-down) acknowledged by admin: "db-3 is a lab box"; it is now open-acknowledged\n`,
    );
    const again = alertView.parse(json(ok(await cli('ack', String(down?.id), '--comment', 'still', '--json'))));
    expect(again.state).toBe('open-acknowledged');
    refused(await cli('ack', '99999', '--comment', 'x'), 'switchyard: alert 99999 not found');

    const all = alertList.parse(json(ok(await cli('alerts', '--all', '--limit', '50', '--json')))).alerts;
    expect(all.length).toBeGreaterThanOrEqual(open.length);
    // orders only switched over by hand: nothing to alert about there
    expect(ok(await cli('alerts', '--pair', 'orders')).stdout).toBe('no open alerts\n');
  });

  it('brake: show and release', async () => {
    expect(ok(await cli('brake')).stdout).toMatch(
      /^global brake: not engaged \(\d of 3 automatic switchovers in 10 min\)/,
    );
    expect(ok(await cli('brake', 'release')).stdout).toContain('global brake released; now not engaged');
    expect(brakeView.parse(json(ok(await cli('brake', 'release', '--json'))))).toMatchObject({
      engaged: false,
      limit: 3,
    });
  });

  it('sends the token of SWITCHYARD_TOKEN or --token as a bearer; without one the server says to log in', async () => {
    const from = authorizations.length;
    ok(await runCli(['status'], { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: token }));
    refused(
      await runCli(['status', '--token', 'syu_from_flag'], { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: token }),
      'your session or token is not valid',
    );
    refused(await runCli(['status'], { SWITCHYARD_URL: url }), 'log in first');
    expect(authorizations.slice(from)).toEqual([`Bearer ${token}`, 'Bearer syu_from_flag', undefined]);
  });

  it('a viewer may look but not switch over: exit 1 with the reason', async () => {
    const viewer = await userWithToken(t.app, 'cli-viewer', 'viewer');
    ok(await runCli(['status'], { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: viewer.token }));
    refused(
      await runCli(['switchover', 'orders', 'db-2'], { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: viewer.token }),
      'the viewer role cannot do this: it needs operator',
    );
  });

  it('an unreachable server is exit 3 and names the URL; something that is not Switchyard is exit 1', async () => {
    // a port that was free a moment ago: nothing listens there
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => probe.close(resolve));

    const down = await runCli(['status'], { SWITCHYARD_URL: `http://127.0.0.1:${port}` });
    expect(down.code).toBe(3);
    expect(down.stderr).toBe(
      `switchyard: cannot reach the Switchyard server at http://127.0.0.1:${port} (connection refused); is it running? Point --server or SWITCHYARD_URL at it\n`,
    );

    const html = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    try {
      const a = html.address();
      const other = await runCli(['--server', `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, 'pairs']);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('is not JSON: is http://127.0.0.1:');
    } finally {
      await new Promise((resolve) => html.close(resolve));
    }
  });
});
