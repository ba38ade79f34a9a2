import { parseArgs } from 'node:util';
import { type Command, type Options, SPECS, type Spec } from './specs.ts';
import { str, UsageError, type Values } from './values.ts';

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

export type Parsed = { ok: true; globals: Globals; command: Command } | { ok: false; error: string; usage: string };

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

/** `switchyard nodes` alone means `switchyard nodes list`, and so on. */
const GROUP_DEFAULTS: Record<string, string> = { nodes: 'list', pairs: 'list', brake: 'show' };

function usageBlock(spec: Spec): string[] {
  const line = ['usage: switchyard', ...spec.words, ...spec.args, spec.optionsLine ?? ''].filter(Boolean).join(' ');
  const options = spec.optionHelp ? ['', ...optionLines(spec.optionHelp)] : [];
  return [line, `  ${spec.summary}`, ...options];
}

export function commandUsage(spec: Spec): string {
  return `${[...usageBlock(spec), '', ...optionLines(GLOBAL_HELP)].join('\n')}\n`;
}

/** The usage of every command of a group (`switchyard nodes frob`), the global options once. */
function groupUsage(specs: Spec[]): string {
  return `${[...specs.flatMap((s) => [...usageBlock(s), '']), ...optionLines(GLOBAL_HELP)].join('\n')}\n`;
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
    groupUsage: groupUsage(group),
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
