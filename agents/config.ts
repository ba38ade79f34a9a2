import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The agent's one configuration file (JSON). Validated at start; every
 * problem is reported with the path of the bad field, e.g.
 * `components[1].port: must be at most 65535`. The token is never echoed.
 */

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\w.:/@-]+$/, 'may hold letters, digits and . _ - : / @ only');

const timeoutMs = z.number().int('must be a whole number of ms').min(10, 'must be at least 10 ms').max(3_600_000);

/** A string runs through /bin/sh -c; an array runs that program with those arguments, no shell. */
const commandLine = z.union(
  [z.string().trim().min(1, 'must not be empty'), z.array(z.string()).min(1, 'must name a program')],
  { error: 'must be a shell command string or an array of program and arguments' },
);
export type CommandLine = z.infer<typeof commandLine>;

/** Reconnect backoff defaults; the benchmark's reconnect storm uses them too. */
export const DEFAULT_RECONNECT = { baseMs: 1000, maxMs: 30_000, stableAfterMs: 30_000 } as const;

const componentFields = { name, timeoutMs: timeoutMs.optional() };

export const componentConfig = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...componentFields,
      kind: z.literal('process'),
      /** matched against the process name (/proc/PID/comm) and argv[0]'s file name */
      process: z.string().min(1, 'must name a process'),
    }),
    z.strictObject({
      ...componentFields,
      kind: z.literal('tcp'),
      host: z.string().min(1, 'must not be empty'),
      port: z.number().int('must be a whole number').min(1, 'must be at least 1').max(65535, 'must be at most 65535'),
    }),
    z.strictObject({
      ...componentFields,
      kind: z.literal('http'),
      url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
      /** the status (or statuses) that mean healthy */
      expectStatus: z
        .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)], {
          error: 'must be an HTTP status or a list of them',
        })
        .default(200),
    }),
    z.strictObject({ ...componentFields, kind: z.literal('command'), command: commandLine }),
  ],
  { error: 'must have "kind": "process", "tcp", "http" or "command"' },
);
export type ComponentConfig = z.infer<typeof componentConfig>;

const hook = z.strictObject({ command: commandLine, timeoutMs: timeoutMs.default(60_000) });
export type HookConfig = z.infer<typeof hook>;

const uniqueNames = (components: { name: string }[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  components.forEach((component, index) => {
    if (seen.has(component.name)) {
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${component.name}" is used twice` });
    }
    seen.add(component.name);
  });
};

const schema = z
  .strictObject({
    /** the Switchyard server, e.g. "https://switchyard.example:8080" (ws:// and wss:// work too) */
    server: z.url({ protocol: /^(https?|wss?)$/, error: 'must be an http(s):// or ws(s):// URL of the server' }),
    token: z.string().min(20, 'is too short to be a Switchyard node token').optional(),
    /** a file holding only the token (keep it mode 0600); relative to the config file */
    tokenFile: z.string().min(1).optional(),
    /** PEM file of the CA that signed the server's certificate (wss://): only that CA is trusted; relative to the config file */
    caFile: z.string().min(1).optional(),
    intervalMs: z.number().int().min(100, 'must be at least 100 ms').max(3_600_000).default(10_000),
    /** where the highest epoch, the role and recent command results are kept; relative to the config file */
    stateDir: z.string().min(1, 'must name a folder'),
    components: z.array(componentConfig).max(100).default([]).superRefine(uniqueNames),
    hooks: z
      .strictObject({
        prePromoteCheck: hook.optional(),
        promote: hook.optional(),
        demote: hook.optional(),
        fence: hook.optional(),
      })
      .default({}),
    /** the other members' critical endpoints, probed from here (SPEC rule 11) */
    peers: z
      .array(
        z.strictObject({
          node: name,
          components: z
            .array(componentConfig)
            .min(1, 'must list at least one component')
            .max(50)
            .superRefine(uniqueNames),
        }),
      )
      .max(10)
      .default([]),
    reconnect: z
      .strictObject({
        baseMs: z.number().int().min(10).max(600_000).default(DEFAULT_RECONNECT.baseMs),
        maxMs: z.number().int().min(100).max(3_600_000).default(DEFAULT_RECONNECT.maxMs),
        /** a connection must stay up this long before the backoff starts again from the bottom */
        stableAfterMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_RECONNECT.stableAfterMs),
      })
      .default(DEFAULT_RECONNECT),
    logLevel: z.enum(LOG_LEVELS).default('info'),
  })
  .superRefine((config, ctx) => {
    if ((config.token === undefined) === (config.tokenFile === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'set exactly one of "token" and "tokenFile"' });
    }
    if (config.reconnect.maxMs < config.reconnect.baseMs) {
      ctx.addIssue({ code: 'custom', path: ['reconnect', 'maxMs'], message: 'must not be below reconnect.baseMs' });
    }
    // A check slower than the interval would make heartbeats late, and the node look down.
    const checkTimeouts = (components: ComponentConfig[], prefix: (string | number)[]) =>
      components.forEach((component, index) => {
        if (component.timeoutMs !== undefined && component.timeoutMs >= config.intervalMs) {
          ctx.addIssue({
            code: 'custom',
            path: [...prefix, index, 'timeoutMs'],
            message: `must be below intervalMs (${config.intervalMs})`,
          });
        }
      });
    checkTimeouts(config.components, ['components']);
    config.peers.forEach((peer, index) => {
      checkTimeouts(peer.components, ['peers', index, 'components']);
    });
  });

type Parsed = z.infer<typeof schema>;

export interface AgentConfig extends Omit<Parsed, 'token' | 'tokenFile' | 'caFile'> {
  /** the pinned CA's PEM text, read at start */
  ca?: string;
  /** the token read at start */
  token: string;
  /** absolute; re-read before each connection attempt when set */
  tokenFile?: string;
  /** the WebSocket URL derived from `server` */
  agentUrl: string;
  /** absolute */
  stateDir: string;
}

export type AgentConfigResult = { ok: true; config: AgentConfig } | { ok: false; message: string };

/** `components[1].port`, `hooks.promote.command` */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  }
  return text || '(config)';
}

/** A component's timeout when the config leaves it out: half the interval, at most 5 s. */
export function defaultCheckTimeout(intervalMs: number): number {
  return Math.min(5000, Math.floor(intervalMs / 2));
}

export function agentUrlOf(server: string): string {
  const url = new URL(server);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/agent`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/**
 * Pure: the parsed JSON (and a way to read the token file) → a config or one
 * line naming every bad field. `baseDir` resolves relative paths.
 */
export function parseAgentConfig(
  raw: unknown,
  baseDir: string,
  readTokenFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): AgentConfigResult {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: is not a setting`);
      }
      if (issue.code === 'invalid_type' && issue.input === undefined) {
        return [`${fieldPath(issue.path)}: is required`];
      }
      return [`${fieldPath(issue.path)}: ${issue.message}`];
    });
    return { ok: false, message: problems.join('; ') };
  }
  const { token, tokenFile, caFile, ...config } = parsed.data;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  let secret = token ?? '';
  if (tokenFile !== undefined) {
    try {
      secret = readTokenFile(absolute(tokenFile)).trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : 'error');
      return { ok: false, message: `tokenFile: cannot read ${absolute(tokenFile)} (${code})` };
    }
    if (secret.length < 20) return { ok: false, message: `tokenFile: ${absolute(tokenFile)} does not hold a token` };
  }
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(absolute(caFile), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return { ok: false, message: `caFile: cannot read ${absolute(caFile)} (${code})` };
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      return { ok: false, message: `caFile: ${absolute(caFile)} is not a PEM certificate` };
    }
    if (!agentUrlOf(config.server).startsWith('wss:')) {
      return { ok: false, message: 'caFile: only used with an https:// or wss:// server' };
    }
  }
  return {
    ok: true,
    config: {
      ...config,
      ...(ca ? { ca } : {}),
      token: secret,
      ...(tokenFile !== undefined ? { tokenFile: absolute(tokenFile) } : {}),
      stateDir: absolute(config.stateDir),
      agentUrl: agentUrlOf(config.server),
    },
  };
}

// V8 quotes a piece of the input in some JSON errors; that piece could be the token.
function jsonErrorWithoutInput(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, ' (not valid JSON)');
}

export function loadAgentConfig(path: string): AgentConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, message: `cannot read config file ${path} (${reason})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `config file ${path} is not valid JSON: ${jsonErrorWithoutInput(error)}` };
  }
  const result = parseAgentConfig(raw, dirname(resolve(path)));
  return result.ok ? result : { ok: false, message: `invalid config ${path}: ${result.message}` };
}
