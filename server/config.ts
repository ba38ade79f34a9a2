import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The one place that reads configuration. Sources, later wins: defaults, the
 * JSON file named by SWITCHYARD_CONFIG, environment variables. Every bad
 * setting is reported, by name, in one line.
 */

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const text = String(value).trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`,
      });
      return z.NEVER;
    }
    return n;
  });

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const settingsSchema = z.object({
  PORT: integer(0, 65535).default(8080),
  HOST: nonEmpty.default('0.0.0.0'),
  SWITCHYARD_DATA_DIR: nonEmpty.default('./data'),
  SWITCHYARD_WEB_DIR: nonEmpty.default(resolve(packageRoot, 'web/dist')),
  LOG_LEVEL: z
    .string()
    .refine((v): v is (typeof LOG_LEVELS)[number] => (LOG_LEVELS as readonly string[]).includes(v), {
      message: `must be one of ${LOG_LEVELS.join(', ')}`,
    })
    .default('info'),
  SWITCHYARD_SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  /** the first admin's password on an empty database (otherwise a random one is printed once) */
  SWITCHYARD_ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .max(256, 'must be at most 256 characters')
    .optional(),
  /** PEM files: with both set the server speaks HTTPS and agents connect with wss:// */
  SWITCHYARD_TLS_CERT: nonEmpty.optional(),
  SWITCHYARD_TLS_KEY: nonEmpty.optional(),
});

// Settings whose values must never be repeated in an error message.
const SECRET_SETTINGS = new Set(['SWITCHYARD_ADMIN_PASSWORD']);

export const SETTING_NAMES = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[];

export interface Config {
  port: number;
  host: string;
  /** absolute path of the folder holding the SQLite file */
  dataDir: string;
  /** absolute path of the built web UI */
  webDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** how long a graceful shutdown may take before the process gives up */
  shutdownTimeoutMs: number;
  adminPassword?: string;
  /** absolute paths of the certificate and key (PEM) when TLS is on */
  tls?: { certFile: string; keyFile: string };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Pure: settings in, config or one line of complaint out. */
export function parseConfig(
  env: Record<string, string | undefined>,
  file: Record<string, unknown> = {},
  cwd = process.cwd(),
): ConfigResult {
  const raw: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name] !== undefined && env[name] !== '' ? env[name] : file[name];
    if (value !== undefined) raw[name] = value;
  }
  const unknownKeys = Object.keys(file).filter((key) => !(SETTING_NAMES as string[]).includes(key));
  const parsed = settingsSchema.safeParse(raw);
  const problems = unknownKeys.map((key) => `${key} is not a setting (known: ${SETTING_NAMES.join(', ')})`);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'configuration');
      const got = SECRET_SETTINGS.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`;
      const message =
        issue.code === 'invalid_union' || issue.code === 'invalid_type'
          ? `must be a ${SECRET_SETTINGS.has(name) ? 'string' : 'string or number'}${got}`
          : issue.message;
      problems.push(`${name} ${message}`);
    }
  }
  if (
    parsed.success &&
    (parsed.data.SWITCHYARD_TLS_CERT === undefined) !== (parsed.data.SWITCHYARD_TLS_KEY === undefined)
  ) {
    problems.push('SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY must be set together');
  }
  if (problems.length > 0 || !parsed.success) {
    return { ok: false, message: `invalid configuration: ${problems.join('; ')}` };
  }
  const s = parsed.data;
  return {
    ok: true,
    config: {
      port: s.PORT,
      host: s.HOST,
      dataDir: resolve(cwd, s.SWITCHYARD_DATA_DIR),
      webDir: resolve(cwd, s.SWITCHYARD_WEB_DIR),
      logLevel: s.LOG_LEVEL,
      shutdownTimeoutMs: s.SWITCHYARD_SHUTDOWN_TIMEOUT_MS,
      ...(s.SWITCHYARD_ADMIN_PASSWORD ? { adminPassword: s.SWITCHYARD_ADMIN_PASSWORD } : {}),
      ...(s.SWITCHYARD_TLS_CERT && s.SWITCHYARD_TLS_KEY
        ? { tls: { certFile: resolve(cwd, s.SWITCHYARD_TLS_CERT), keyFile: resolve(cwd, s.SWITCHYARD_TLS_KEY) } }
        : {}),
    },
  };
}

/** Reads SWITCHYARD_CONFIG (a JSON object of the same setting names) when set, then parses. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const path = env.SWITCHYARD_CONFIG;
  if (!path) return parseConfig(env);
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `invalid configuration: SWITCHYARD_CONFIG file ${path} cannot be read as JSON: ${reason}`,
    };
  }
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    return { ok: false, message: `invalid configuration: SWITCHYARD_CONFIG file ${path} must hold a JSON object` };
  }
  return parseConfig(env, file as Record<string, unknown>);
}
