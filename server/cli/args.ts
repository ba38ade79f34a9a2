import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { ThresholdProfile } from '../contract/thresholds.ts';

/**
 * Pure: the command line (and the environment, passed in) → one typed command,
 * or a usage error with the usage of the command it was meant for. No I/O.
 */

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface Globals {
  /** base URL of the server, no trailing slash */
  server: string;
  /** sent as `Authorization: Bearer <token>` when set */
  token: string | null;
  json: boolean;
}

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'status' }
  | { kind: 'nodes.list' }
  | { kind: 'nodes.add'; name: string; address: string }
  | { kind: 'nodes.rotate-token'; node: string }
  | { kind: 'nodes.revoke-token'; node: string }
  | { kind: 'pairs.list' }
  | { kind: 'pairs.show'; pair: string }
  | {
      kind: 'pairs.link';
      name: string;
      primary: string;
      secondary: string;
      weights: { primary: number; secondary: number } | null;
      profile: ThresholdProfile | null;
    }
  | { kind: 'switchover'; pair: string; node: string; force: boolean; confirm: string | null; wait: boolean }
  | { kind: 'auto-failover'; pair: string; enabled: boolean; reason: string | null }
  | { kind: 'maintenance'; pair: string; enabled: boolean }
  | { kind: 'events'; pair: string; limit: number; before: number | null; eventKind: string | null }
  | { kind: 'drill'; pair: string; node: string }
  | { kind: 'alerts'; all: boolean; pair: string | null; limit: number | null }
  | { kind: 'ack'; alertId: number; comment: string }
  | { kind: 'brake.show' }
  | { kind: 'brake.release' };

export type Parsed = { ok: true; globals: Globals; command: Command } | { ok: false; error: string; usage: string };

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

class UsageError extends Error {}

interface Spec {
  /** the words that name the command, e.g. ['nodes', 'add'] */
  words: string[];
  /** positional arguments, e.g. ['<name>', '<address>'] */
  args: string[];
  /** shown after the arguments in the usage line */
  optionsLine?: string;
  summary: string;
  /** one short line for the command list */
  brief: string;
  options?: Options;
  optionHelp?: [string, string][];
  build: (args: string[], values: Values) => Command;
}

const GLOBAL_OPTIONS: Options = {
  server: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP: [string, string][] = [
  ['--server URL', `the Switchyard server (default: $SWITCHYARD_URL, else ${DEFAULT_SERVER})`],
  ['--token TOKEN', 'API token sent as a bearer token (default: $SWITCHYARD_TOKEN)'],
  ['--json', 'print the API answer as JSON instead of text'],
];

const optionLines = (rows: [string, string][]) => rows.map(([flag, text]) => `  ${flag.padEnd(18)}  ${text}`);

// ---- value parsers: each throws a UsageError naming the option --------------------------

function integer(text: string, what: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return n;
}

function onOff(text: string, what: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UsageError(`${what} must be "on" or "off" (got "${text}")`);
}

/** "51/49" → { primary: 51, secondary: 49 } */
export function parseWeights(text: string): { primary: number; secondary: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--weights must look like 51/49 (primary/secondary, got "${text}")`);
  return {
    primary: integer(m[1] ?? '', '--weights primary', 1, 1000),
    secondary: integer(m[2] ?? '', '--weights secondary', 1, 1000),
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "1s", "500ms", "1.5s", "2min" → milliseconds */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)$/.exec(text.trim());
  const ms = m ? Math.round(Number(m[1]) * (UNITS[m[2] ?? ''] ?? Number.NaN)) : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw new UsageError(`${what} must be a duration like 500ms, 1s, 2min (got "${text}")`);
  return ms;
}

/**
 * "3x1s" → Up and Down after 3 beats of 1 s for both roles, DownHeartbeat on every
 * down sample of 1 s: the fast profile of the demo, for one flag.
 */
export function parseThresholds(text: string): ThresholdProfile {
  const m = /^(\d+)x(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--thresholds must look like 3x1s (beats x interval, got "${text}")`);
  const beats = integer(m[1] ?? '', '--thresholds beats', 1, 100);
  const intervalMs = parseDuration(m[2] ?? '', '--thresholds interval');
  if (intervalMs < 100 || intervalMs > 3_600_000) {
    throw new UsageError(`--thresholds interval must be from 100ms to 1h (got "${m[2]}")`);
  }
  const role = () => ({
    up: { beats, intervalMs },
    down: { beats, intervalMs },
    downHeartbeat: { enabled: true, beats: 1, intervalMs },
  });
  return { active: role(), passive: role() };
}

const str = (values: Values, name: string): string | null => {
  const v = values[name];
  return typeof v === 'string' ? v : null;
};

// ---- the commands -------------------------------------------------------------------------

const SPECS: Spec[] = [
  {
    words: ['status'],
    brief: "every pair, its members' health, open alerts, brake",
    args: [],
    summary: 'Every pair: state, active node, each member’s verdict, stability and last heartbeat; open alerts; brake.',
    build: () => ({ kind: 'status' }),
  },
  {
    words: ['nodes', 'list'],
    brief: 'enrolled nodes and their agents',
    args: [],
    summary: 'Enrolled nodes with their agent connection and last heartbeat (also: switchyard nodes).',
    build: () => ({ kind: 'nodes.list' }),
  },
  {
    words: ['nodes', 'add'],
    brief: 'enroll a node, print its agent token once',
    args: ['<name>', '<address>'],
    summary: 'Enroll a node; prints its agent token, shown this once only.',
    build: ([name = '', address = '']) => ({ kind: 'nodes.add', name, address }),
  },
  {
    words: ['nodes', 'rotate-token'],
    brief: 'new agent token for a node',
    args: ['<node>'],
    summary: 'Give a node a new agent token (the old one stops working at once); prints it once.',
    build: ([node = '']) => ({ kind: 'nodes.rotate-token', node }),
  },
  {
    words: ['nodes', 'revoke-token'],
    brief: "revoke a node's agent token",
    args: ['<node>'],
    summary: 'Revoke a node’s agent token: its agent is disconnected and cannot come back.',
    build: ([node = '']) => ({ kind: 'nodes.revoke-token', node }),
  },
  {
    words: ['pairs', 'list'],
    brief: 'HA pairs, their state and active node',
    args: [],
    summary: 'HA pairs with their state and active node (also: switchyard pairs).',
    build: () => ({ kind: 'pairs.list' }),
  },
  {
    words: ['pairs', 'show'],
    brief: 'one pair in full',
    args: ['<pair>'],
    summary: 'One pair in full: members, thresholds, switchover in progress, holds.',
    build: ([pair = '']) => ({ kind: 'pairs.show', pair }),
  },
  {
    words: ['pairs', 'link'],
    brief: 'link two nodes into an HA pair',
    args: ['<name>', '<primary>', '<secondary>'],
    optionsLine: '[--weights 51/49] [--thresholds 3x1s]',
    summary: 'Link two enrolled nodes into an HA pair (the primary starts active; auto-failover starts off).',
    options: { weights: { type: 'string' }, thresholds: { type: 'string' } },
    optionHelp: [
      ['--weights P/S', 'weights of primary and secondary (default 51/49; the higher is preferred)'],
      ['--thresholds NxT', 'Up and Down after N beats of T for both roles, e.g. 3x1s (default 5x10s)'],
    ],
    build: ([name = '', primary = '', secondary = ''], values) => {
      const weights = str(values, 'weights');
      const thresholds = str(values, 'thresholds');
      return {
        kind: 'pairs.link',
        name,
        primary,
        secondary,
        weights: weights === null ? null : parseWeights(weights),
        profile: thresholds === null ? null : parseThresholds(thresholds),
      };
    },
  },
  {
    words: ['switchover'],
    brief: 'make a node the active one',
    args: ['<pair>', '<node>'],
    optionsLine: '[--force --confirm <node-name>] [--wait]',
    summary: 'Make <node> the active node of <pair>. It must be Up and stable unless an admin forces it.',
    options: { force: { type: 'boolean' }, confirm: { type: 'string' }, wait: { type: 'boolean' } },
    optionHelp: [
      ['--force', 'admin: switch to a node that is not Up and stable'],
      ['--confirm NAME', 'with --force: the target node’s name, typed again'],
      ['--wait', 'wait until the switchover has finished and say how it ended'],
    ],
    build: ([pair = '', node = ''], values) => {
      const confirm = str(values, 'confirm');
      const force = values.force === true;
      if (confirm !== null && !force) throw new UsageError('--confirm goes with --force');
      return { kind: 'switchover', pair, node, force, confirm, wait: values.wait === true };
    },
  },
  {
    words: ['auto-failover'],
    brief: 'enable or disable automatic failover',
    args: ['<pair>', 'on|off'],
    optionsLine: '[--reason "..."]',
    summary:
      'Enable or disable automatic failover. After an automatic failover, enabling it needs a reason: it acknowledges that failover, and the pair fails back to its preferred node.',
    options: { reason: { type: 'string' } },
    optionHelp: [['--reason TEXT', 'why (required to re-enable after an automatic failover; audited)']],
    build: ([pair = '', state = ''], values) => ({
      kind: 'auto-failover',
      pair,
      enabled: onOff(state, 'the second argument'),
      reason: str(values, 'reason'),
    }),
  },
  {
    words: ['maintenance'],
    brief: 'suspend or resume automatic actions',
    args: ['<pair>', 'on|off'],
    summary: 'Maintenance suspends every automatic action of a pair; signals are still evaluated and shown.',
    build: ([pair = '', state = '']) => ({ kind: 'maintenance', pair, enabled: onOff(state, 'the second argument') }),
  },
  {
    words: ['events'],
    brief: "the pair's timeline, with explanations",
    args: ['<pair>'],
    optionsLine: '[--limit N] [--before ID] [--kind KIND]',
    summary: 'The pair’s timeline, oldest first: signals, decisions and the rule that decided, commands, results.',
    options: { limit: { type: 'string' }, before: { type: 'string' }, kind: { type: 'string' } },
    optionHelp: [
      ['--limit N', 'how many of the latest events (1–500, default 50)'],
      ['--before ID', 'events older than event ID (paging back)'],
      ['--kind KIND', 'only this kind: signal, decision, held, command, command-result, config, ...'],
    ],
    build: ([pair = ''], values) => {
      const limit = str(values, 'limit');
      const before = str(values, 'before');
      return {
        kind: 'events',
        pair,
        limit: limit === null ? 50 : integer(limit, '--limit', 1, 500),
        before: before === null ? null : integer(before, '--before', 1, Number.MAX_SAFE_INTEGER),
        eventKind: str(values, 'kind'),
      };
    },
  },
  {
    words: ['drill'],
    brief: 'what if this node failed now? (changes nothing)',
    args: ['<pair>', '<node>'],
    summary: 'What would happen if <node> failed now? Runs the real manager on a copy; changes nothing.',
    build: ([pair = '', node = '']) => ({ kind: 'drill', pair, node }),
  },
  {
    words: ['alerts'],
    brief: 'open alerts (--all: every alert)',
    args: [],
    optionsLine: '[--all] [--pair <pair>] [--limit N]',
    summary: 'Open alerts (the problem summary); --all includes closed ones.',
    options: { all: { type: 'boolean' }, pair: { type: 'string' }, limit: { type: 'string' } },
    optionHelp: [
      ['--all', 'closed alerts too'],
      ['--pair PAIR', 'only this pair’s alerts'],
      ['--limit N', 'at most N (1–500, default 100)'],
    ],
    build: (_args, values) => {
      const limit = str(values, 'limit');
      return {
        kind: 'alerts',
        all: values.all === true,
        pair: str(values, 'pair'),
        limit: limit === null ? null : integer(limit, '--limit', 1, 500),
      };
    },
  },
  {
    words: ['ack'],
    brief: 'acknowledge an alert with a comment',
    args: ['<alert-id>'],
    optionsLine: '--comment "..."',
    summary: 'Acknowledge an alert, saying why (alerts without an off event close only this way).',
    options: { comment: { type: 'string' } },
    optionHelp: [['--comment TEXT', 'required: what was seen or done']],
    build: ([id = ''], values) => {
      const comment = str(values, 'comment')?.trim() ?? '';
      if (comment === '') throw new UsageError('--comment is required: say why');
      return { kind: 'ack', alertId: integer(id, '<alert-id>', 1, Number.MAX_SAFE_INTEGER), comment };
    },
  },
  {
    words: ['brake', 'show'],
    brief: 'the global brake',
    args: [],
    summary:
      'The global brake: automatic switchovers in the window, and whether they are held (also: switchyard brake).',
    build: () => ({ kind: 'brake.show' }),
  },
  {
    words: ['brake', 'release'],
    brief: 'release the global brake',
    args: [],
    summary: 'Admin: release the global brake so automatic switchovers may happen again.',
    build: () => ({ kind: 'brake.release' }),
  },
];

/** `switchyard nodes` alone means `switchyard nodes list`, and so on. */
const GROUP_DEFAULTS: Record<string, string> = { nodes: 'list', pairs: 'list', brake: 'show' };

export function commandUsage(spec: Spec): string {
  const line = ['usage: switchyard', ...spec.words, ...spec.args, spec.optionsLine ?? ''].filter(Boolean).join(' ');
  return `${line}\n  ${spec.summary}\n\n${optionLines([...(spec.optionHelp ?? []), ...GLOBAL_HELP]).join('\n')}\n`;
}

export function generalUsage(): string {
  const rows = [
    ...SPECS.map((s) => [[...s.words, ...s.args].join(' '), s.brief]),
    ['help <command>', 'the usage of one command (or: switchyard <command> --help)'],
  ];
  const width = Math.max(...rows.map(([left = '']) => left.length));
  const lines = rows.map(([left = '', right = '']) => `  ${left.padEnd(width)}  ${right}`);
  return [
    'usage: switchyard <command> [options]',
    '',
    'Operator CLI of Switchyard, over its REST API. Pairs and nodes are named by name or id.',
    '',
    'commands:',
    ...lines,
    '',
    'options of every command:',
    ...optionLines(GLOBAL_HELP),
    '',
    'exit codes: 0 done, 1 the server refused or failed (its message on stderr), 2 usage error, 3 server unreachable',
    '',
  ].join('\n');
}

/** The spec named by the leading words, the group's default when only the group is named. */
function findSpec(words: string[]): { spec: Spec; used: number } | { groupUsage: string; error: string } {
  const [first = '', second = ''] = words;
  const group = SPECS.filter((s) => s.words[0] === first);
  if (group.length === 0) {
    return { groupUsage: generalUsage(), error: first ? `unknown command "${first}"` : 'name a command' };
  }
  const exact = group.find((s) => s.words.length === 2 && s.words[1] === second);
  if (exact) return { spec: exact, used: 2 };
  const single = group.find((s) => s.words.length === 1);
  if (single) return { spec: single, used: 1 };
  const fallback = GROUP_DEFAULTS[first];
  const defaultSpec = group.find((s) => s.words[1] === fallback);
  if (defaultSpec && second === '') return { spec: defaultSpec, used: 1 };
  return {
    groupUsage: group.map(commandUsage).join('\n'),
    error: `unknown ${first} command "${second}" (one of: ${group.map((s) => s.words[1]).join(', ')})`,
  };
}

const ALL_OPTIONS: Options = Object.assign({}, GLOBAL_OPTIONS, ...SPECS.map((s) => s.options ?? {}));

/** parseArgs' messages are long and mention things a person did not type; keep the first sentence. */
function parseArgsMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  return (text.split('. ')[0] ?? text).replace(/^Option/, 'option');
}

function globalsOf(values: Values, env: Record<string, string | undefined>): Globals {
  const server = (str(values, 'server') ?? (env.SWITCHYARD_URL || DEFAULT_SERVER)).trim();
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be an http:// or https:// URL (got "${server}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server must be an http:// or https:// URL (got "${server}")`);
  }
  const token = str(values, 'token') ?? env.SWITCHYARD_TOKEN ?? '';
  return { server: server.replace(/\/+$/, ''), token: token.trim() || null, json: values.json === true };
}

export function parseCommandLine(argv: string[], env: Record<string, string | undefined>): Parsed {
  // First pass, lenient: only to find the command words among the options.
  const loose = parseArgs({ args: argv, options: ALL_OPTIONS, strict: false, allowPositionals: true });
  const words = loose.positionals;
  if (words[0] === 'help' || (words.length === 0 && loose.values.help === true)) {
    const topic = words.slice(1);
    if (topic.length === 0) return helpOf(generalUsage());
    const found = findSpec(topic);
    return 'spec' in found
      ? helpOf(commandUsage(found.spec))
      : { ok: false, error: found.error, usage: found.groupUsage };
  }
  const found = findSpec(words);
  if (!('spec' in found)) return { ok: false, error: found.error, usage: found.groupUsage };
  const { spec, used } = found;
  const usage = commandUsage(spec);
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: argv,
        options: { ...GLOBAL_OPTIONS, ...spec.options },
        strict: true,
        allowPositionals: true,
      });
    } catch (error) {
      throw new UsageError(parseArgsMessage(error));
    }
    const values = parsed.values as Values;
    if (values.help === true) return helpOf(usage);
    const args = parsed.positionals.slice(used);
    if (args.length < spec.args.length) {
      throw new UsageError(`missing ${spec.args.slice(args.length).join(' ')}`);
    }
    if (args.length > spec.args.length) throw new UsageError(`unexpected argument "${args[spec.args.length]}"`);
    if (args.some((a) => a.trim() === '')) throw new UsageError('arguments must not be empty');
    const globals = globalsOf(values, env);
    return { ok: true, globals, command: spec.build(args, values) };
  } catch (error) {
    if (error instanceof UsageError) return { ok: false, error: error.message, usage };
    throw error;
  }
}

function helpOf(text: string): Parsed {
  return { ok: true, globals: { server: DEFAULT_SERVER, token: null, json: false }, command: { kind: 'help', text } };
}
