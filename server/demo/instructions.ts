/** Pure: what the demo prints once everything runs — where things are, and the exact commands to try next. */

export interface BannerInput {
  url: string;
  /** the CLI's default server: when url differs, the steps say how to point the CLI at it */
  defaultUrl: string;
  dir: string;
  hooksLog: string;
  serverLog: string;
  /** file holding an admin API token for the CLI */
  cliToken: string;
  /** the demo admin's password, for logging in to the web UI (generated per run) */
  adminPassword: string;
  pair: string;
  agents: { node: string; pid: number; log: string }[];
  /** how to run `restart-agent` (with SWITCHYARD_DEMO_DIR when the folder is not the default) */
  restartCommand: (node: string) => string;
}

function steps(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([cmd]) => cmd.length));
  return rows.map(([cmd, what]) => (what ? `  ${cmd.padEnd(width)}   # ${what}` : `  ${cmd}`));
}

export function banner(b: BannerInput): string {
  const db1 = b.agents.find((a) => a.node === 'db-1');
  const agentRows = b.agents.map(
    (a, i) => `${i === 0 ? '  agents     ' : '             '}${a.node}  pid ${a.pid}  log ${a.log}`,
  );
  const cli = 'npx switchyard';
  const env =
    b.url === b.defaultUrl
      ? []
      : ([[`export SWITCHYARD_URL=${b.url}`, 'this demo is not on the default port']] as [string, string][]);
  return [
    '',
    'Switchyard demo is running',
    `  server     ${b.url}   (REST API under /api/v1)`,
    `  folder     ${b.dir}   (reset at every start of the demo)`,
    `  hooks log  ${b.hooksLog}`,
    `  server log ${b.serverLog}`,
    `  login      admin / ${b.adminPassword}   (this run only)`,
    `  pair       ${b.pair}: db-1 (primary, weight 51, active) + db-2 (secondary, weight 49)`,
    '             Up and Down after 3 × 1 s, auto-failover on',
    ...agentRows,
    '',
    'Try it, in another terminal, from this folder:',
    ...steps([
      [`export SWITCHYARD_TOKEN=$(cat ${b.cliToken})`, "the CLI acts as the demo's admin"],
      ...env,
      [`${cli} status`, 'both members up and stable, db-1 active'],
      [`kill -9 ${db1?.pid ?? '<db-1 agent pid>'}`, "db-1's agent dies without a word"],
      [`${cli} status`, 'about 4 s later: failed-over, db-2 active, auto-failover off'],
      [`cat ${b.hooksLog}`, 'db-2 ran its promote hook at epoch 1'],
      [b.restartCommand('db-1'), 'db-1 comes back, is demoted (epoch 1), and earns Up after 3 s'],
      [`${cli} status`, 'db-1 up and stable again, db-2 still active'],
      [`${cli} auto-failover ${b.pair} on --reason "db-1 is back"`, 'acknowledges the failover; fails back'],
      [`${cli} status`, 'normal, db-1 active, epoch 2'],
      [`${cli} events ${b.pair}`, 'the whole story, with the rule behind each decision'],
    ]),
    '',
    'This terminal narrates what the server sees and decides. Ctrl-C stops the server and the agents.',
    '',
  ].join('\n');
}
