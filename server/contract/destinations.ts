import { z } from 'zod';
import { alertKind, severity } from './alerts.ts';

/**
 * Alert destinations (SPEC §5): where alerts go besides the problem summary.
 * Secrets (HMAC key, SMTP password, SNMPv3 keys) are write-only: views mask them.
 */

const host = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255)
  .regex(/^[^\s/]+$/, 'must be a host name or an IP address');
const port = z.number().int().min(1, 'a port is 1 to 65535').max(65535, 'a port is 1 to 65535');
const timeoutMs = z.number().int().min(100).max(60_000).default(5000);

export const webhookConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** HMAC-SHA256 key for the X-Switchyard-Signature header */
  secret: z.string().min(16, 'the signing secret must be at least 16 characters').max(256),
  timeoutMs,
});

export const emailConfig = z.strictObject({
  host,
  port: port.default(587),
  /** implicit TLS from the first byte (port 465); otherwise STARTTLS as `startTls` says */
  secure: z.boolean().default(false),
  startTls: z.enum(['required', 'optional', 'never']).default('optional'),
  user: z.string().max(255).optional(),
  password: z.string().max(255).optional(),
  from: z.email('must be an e-mail address'),
  to: z.array(z.email('must be an e-mail address')).min(1, 'name at least one recipient').max(20),
  /** PEM of a CA to trust for this server (self-signed relays) */
  ca: z.string().max(20_000).optional(),
  timeoutMs,
});

export const syslogConfig = z.strictObject({
  host,
  port: port.default(514),
  transport: z.enum(['udp', 'tcp']).default('udp'),
  /** RFC 5424 facility number, 16 = local0 */
  facility: z.number().int().min(0).max(23).default(16),
  appName: z
    .string()
    .regex(/^[!-~]{1,48}$/, 'printable ASCII without spaces, at most 48 characters')
    .default('switchyard'),
  timeoutMs,
});

export const snmpConfig = z
  .strictObject({
    host,
    port: port.default(162),
    version: z.enum(['v2c', 'v3']),
    community: z.string().min(1).max(64).optional(),
    v3: z
      .strictObject({
        user: z.string().min(1).max(32),
        authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'),
        authKey: z.string().min(8, 'SNMPv3 keys are at least 8 characters').max(128),
        // no DES: Node's OpenSSL 3 cannot do it (and it should not be used)
        privProtocol: z.enum(['aes', 'aes256b', 'aes256r']).default('aes'),
        privKey: z.string().min(8, 'SNMPv3 keys are at least 8 characters').max(128),
        /** the sender's engine ID (hex); the receiver must know it for traps */
        engineId: z
          .string()
          .regex(/^(0x)?([0-9a-fA-F]{2}){5,32}$/, 'hex, 5 to 32 whole bytes')
          .optional(),
      })
      .optional(),
    timeoutMs,
  })
  .superRefine((c, ctx) => {
    if (c.version === 'v2c' && !c.community)
      ctx.addIssue({ code: 'custom', path: ['community'], message: 'v2c needs a community' });
    if (c.version === 'v3' && !c.v3)
      ctx.addIssue({ code: 'custom', path: ['v3'], message: 'v3 needs user, keys and protocols (authPriv)' });
  });

export const destinationKind = z.enum(['webhook', 'email', 'syslog', 'snmp']);
export type DestinationKind = z.infer<typeof destinationKind>;

export const destinationFilter = z.strictObject({
  /** alerts below this severity are not sent here */
  minSeverity: severity.default('info'),
  /** only these kinds (all when absent) */
  kinds: z.array(alertKind).max(20).optional(),
});

const base = {
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  filter: destinationFilter.default({ minSeverity: 'info' }),
};

export const createDestinationBody = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('webhook'), config: webhookConfig }),
  z.strictObject({ ...base, kind: z.literal('email'), config: emailConfig }),
  z.strictObject({ ...base, kind: z.literal('syslog'), config: syslogConfig }),
  z.strictObject({ ...base, kind: z.literal('snmp'), config: snmpConfig }),
]);
export type CreateDestinationBody = z.infer<typeof createDestinationBody>;
export type DestinationConfig = CreateDestinationBody['config'];

export const updateDestinationBody = z
  .strictObject({
    name: base.name.optional(),
    enabled: z.boolean().optional(),
    filter: destinationFilter.optional(),
    /** the whole config of the destination's kind; secrets left out keep their stored value */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one setting to change' });

export const deliveryState = z.enum(['pending', 'delivered', 'failed']);

export const destinationView = z.object({
  id: z.string(),
  name: z.string(),
  kind: destinationKind,
  enabled: z.boolean(),
  filter: destinationFilter,
  /** the config with secrets masked as "********" */
  config: z.record(z.string(), z.unknown()),
  /** the latest delivery, for "visible delivery status" */
  lastDelivery: z
    .object({ at: z.string(), state: deliveryState, attempts: z.number(), error: z.string().nullable() })
    .nullable(),
  pending: z.number(),
  failed: z.number(),
});
export type DestinationView = z.infer<typeof destinationView>;

export const deliveryView = z.object({
  id: z.number(),
  alertId: z.number().nullable(),
  transition: z.string(),
  idempotencyKey: z.string(),
  state: deliveryState,
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
});

export const destinationIdParams = z.object({ id: z.string().min(1).max(100) });
