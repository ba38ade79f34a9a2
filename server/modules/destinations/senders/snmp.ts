import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { z } from 'zod';
import type { AlertView } from '../../../contract/alerts.ts';
import type { snmpConfig } from '../../../contract/destinations.ts';
import { DeliveryError, type Notification, type SendContext, type Sender, type Transition } from '../notification.ts';

/**
 * SNMP traps (v2c, or v3 authPriv) described by SWITCHYARD-MIB
 * (../snmp/SWITCHYARD-MIB.txt). Traps, not informs: the outbox already
 * retries, and a receiver drops duplicates by swIdempotencyKey.
 */

export type SnmpConfig = z.output<typeof snmpConfig>;
export type SnmpV3Config = NonNullable<SnmpConfig['v3']>;

/**
 * IANA Private Enterprise Number. 32473 is RFC 5612's number for documentation:
 * a deployment registers its own and changes it here and in SWITCHYARD-MIB.txt.
 */
export const SWITCHYARD_PEN = 32473;
export const SWITCHYARD_MIB_OID = `1.3.6.1.4.1.${SWITCHYARD_PEN}`;

export const NOTIFICATION_OIDS: Record<Transition, string> = {
  raised: `${SWITCHYARD_MIB_OID}.0.1`,
  repeated: `${SWITCHYARD_MIB_OID}.0.2`,
  cleared: `${SWITCHYARD_MIB_OID}.0.3`,
  acknowledged: `${SWITCHYARD_MIB_OID}.0.4`,
  test: `${SWITCHYARD_MIB_OID}.0.5`,
};

const alertObjects = `${SWITCHYARD_MIB_OID}.1.1`;

/** The varbinds every notification carries, in the MIB's OBJECTS order (keys are the MIB's descriptors). */
export const OBJECT_OIDS = {
  swAlertId: `${alertObjects}.1`,
  swAlertKind: `${alertObjects}.2`,
  swAlertSeverity: `${alertObjects}.3`,
  swAlertState: `${alertObjects}.4`,
  swPairName: `${alertObjects}.5`,
  swNodeName: `${alertObjects}.6`,
  swAlertMessage: `${alertObjects}.7`,
  swAlertRaisedAt: `${alertObjects}.8`,
  swAlertCount: `${alertObjects}.9`,
  swAlertAckBy: `${alertObjects}.10`,
  swAlertAckComment: `${alertObjects}.11`,
  swIdempotencyKey: `${alertObjects}.12`,
  swSource: `${alertObjects}.13`,
  swEventTime: `${alertObjects}.14`,
} as const;
export type ObjectName = keyof typeof OBJECT_OIDS;

/** SwSeverity and SwState of the MIB */
export const SEVERITY_VALUES: Record<AlertView['severity'], number> = { critical: 1, major: 2, minor: 3, info: 4 };
export const STATE_VALUES: Record<AlertView['state'], number> = {
  open: 1,
  'open-acknowledged': 2,
  closed: 3,
  'closed-acknowledged': 4,
};

/** SwUtf8String's size; names and the source are refined to 255 octets in the MIB */
export const MAX_TEXT_BYTES = 1000;
const NAME_BYTES = 255;
const ELLIPSIS = '…';
const UINT32_MAX = 0xffff_ffff;

/**
 * `text` cut to at most `maxBytes` of UTF-8, never inside a character, ending
 * with "…" when something was cut so that a reader knows it was.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(ELLIPSIS);
  if (room < 0) return '';
  let end = room;
  // 10xxxxxx is a continuation byte: step back to the start of its character
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}${ELLIPSIS}`;
}

/** SNMPv2-TC DateAndTime in UTC: 11 octets, year high byte first, direction '+' and a zero offset. */
export function dateAndTime(iso: string): Buffer {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new TypeError(`not an ISO time: ${JSON.stringify(iso)}`);
  const year = date.getUTCFullYear();
  return Buffer.from([
    year >> 8,
    year & 0xff,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    Math.floor(date.getUTCMilliseconds() / 100),
    '+'.charCodeAt(0),
    0,
    0,
  ]);
}

function text(value: string, maxBytes: number): snmp.Varbind['value'] {
  return Buffer.from(truncateUtf8(value, maxBytes), 'utf8');
}

function unsigned32(value: number): number {
  return Math.min(Math.max(0, Math.trunc(value)), UINT32_MAX);
}

/** The notification's varbinds after sysUpTime.0 and snmpTrapOID.0 (which net-snmp adds), each with instance .0. */
export function buildVarbinds(notification: Notification): snmp.Varbind[] {
  const { alert } = notification;
  const { OctetString, Gauge, Integer } = snmp.ObjectType;
  const values: Record<ObjectName, Pick<snmp.Varbind, 'type' | 'value'>> = {
    swAlertId: { type: Gauge, value: unsigned32(alert.id) },
    swAlertKind: { type: OctetString, value: text(alert.kind, 64) },
    swAlertSeverity: { type: Integer, value: SEVERITY_VALUES[alert.severity] },
    swAlertState: { type: Integer, value: STATE_VALUES[alert.state] },
    swPairName: { type: OctetString, value: text(notification.pairName ?? '', NAME_BYTES) },
    swNodeName: { type: OctetString, value: text(notification.nodeName ?? '', NAME_BYTES) },
    swAlertMessage: { type: OctetString, value: text(alert.message, MAX_TEXT_BYTES) },
    swAlertRaisedAt: { type: OctetString, value: dateAndTime(alert.raisedAt) },
    swAlertCount: { type: Gauge, value: unsigned32(alert.count) },
    swAlertAckBy: { type: OctetString, value: text(alert.ack?.by ?? '', NAME_BYTES) },
    swAlertAckComment: { type: OctetString, value: text(alert.ack?.comment ?? '', MAX_TEXT_BYTES) },
    swIdempotencyKey: { type: OctetString, value: text(notification.idempotencyKey, NAME_BYTES) },
    swSource: { type: OctetString, value: text(notification.source, NAME_BYTES) },
    swEventTime: { type: OctetString, value: dateAndTime(notification.at) },
  };
  return (Object.keys(OBJECT_OIDS) as ObjectName[]).map((name) => ({
    oid: `${OBJECT_OIDS[name]}.0`,
    ...values[name],
  }));
}

/**
 * The SNMPv3 engine ID (hex, lower case, no 0x) that this sender uses for a
 * v3 destination: the configured one, or one derived from the user name
 * alone, so it is the same after a restart and on another Switchyard host
 * and a receiver can be configured for it (`createUser -e <id> ...`).
 * Derived IDs follow RFC 3411: 0x80 | our PEN, format 5 (octets), 12 octets
 * of SHA-256.
 */
export function snmpEngineId(v3: Pick<SnmpV3Config, 'user' | 'engineId'>): string {
  if (v3.engineId) {
    const hex = v3.engineId.replace(/^0x/i, '').toLowerCase();
    // net-snmp pads an odd length the same way
    return hex.length % 2 === 1 ? `0${hex}` : hex;
  }
  const enterprise = ((0x8000_0000 | SWITCHYARD_PEN) >>> 0).toString(16).padStart(8, '0');
  const digest = createHash('sha256').update(`switchyard-snmp-engine\0${v3.user}`).digest('hex');
  return `${enterprise}05${digest.slice(0, 24)}`;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ESERVFAIL', 'ETIMEOUT']);
/** errors that the same datagram will meet again */
const PERMANENT_CODES = new Set(['EMSGSIZE', 'EINVAL', 'EAFNOSUPPORT']);

/**
 * What went wrong, and whether trying again later can help: name lookups and
 * socket errors can; a datagram that cannot be built or is too big cannot.
 */
export function toDeliveryError(error: unknown, config: Pick<SnmpConfig, 'host' | 'port' | 'v3'>): DeliveryError {
  const where = `${config.host}:${config.port}`;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (DNS_CODES.has(code)) return new DeliveryError(`SNMP: cannot resolve ${config.host} (${code})`, true);
  if (/^E[A-Z]+$/.test(code) && !PERMANENT_CODES.has(code))
    return new DeliveryError(`SNMP: socket error sending to ${where}: ${message}`, true);
  return new DeliveryError(`SNMP: cannot send a trap to ${where}: ${message}`, false);
}

function openSession(config: SnmpConfig): snmp.Session {
  const host = config.host.replace(/^\[(.*)\]$/, '$1');
  const common = { trapPort: config.port, transport: isIPv6(host) ? ('udp6' as const) : ('udp4' as const) };
  if (config.version === 'v2c') {
    if (!config.community) throw new DeliveryError('SNMP v2c needs a community', false);
    return snmp.createSession(host, config.community, { ...common, version: snmp.Version2c });
  }
  const v3 = config.v3;
  if (!v3) throw new DeliveryError('SNMP v3 needs a user, keys and protocols', false);
  const user: snmp.User = {
    name: v3.user,
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols[v3.authProtocol],
    authKey: v3.authKey,
    privProtocol: snmp.PrivProtocols[v3.privProtocol],
    privKey: v3.privKey,
  };
  return snmp.createV3Session(host, user, { ...common, engineID: snmpEngineId(v3) });
}

function closeQuietly(session: snmp.Session): void {
  try {
    session.close();
  } catch {
    // already closed: nothing is left open
  }
}

/** sysUpTime.0 is 32-bit TimeTicks: it wraps after 497 days rather than failing to encode. */
function upTime(): number {
  return Math.floor(process.uptime() * 100) % 2 ** 32;
}

function sendTrap(config: SnmpConfig, trapOid: string, varbinds: snmp.Varbind[], context: SendContext): Promise<void> {
  const where = `${config.host}:${config.port}`;
  if (context.signal.aborted) return Promise.reject(new DeliveryError(`SNMP: trap to ${where} aborted`, true));
  let session: snmp.Session;
  try {
    session = openSession(config);
  } catch (error) {
    return Promise.reject(error instanceof DeliveryError ? error : toDeliveryError(error, config));
  }
  const limitMs = Math.min(config.timeoutMs, context.timeoutMs);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: DeliveryError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      // one socket per attempt, closed whatever happened
      closeQuietly(session);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(new DeliveryError(`SNMP: trap to ${where} aborted`, true));
    // a name lookup or a socket that never binds would otherwise wait forever
    const timer = setTimeout(
      () => finish(new DeliveryError(`SNMP: trap to ${where} not sent within ${limitMs} ms`, true)),
      limitMs,
    );
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // the callback runs once the datagram is handed to the socket (traps are not acknowledged)
      session.trap(trapOid, varbinds, { upTime: upTime() }, (error) =>
        finish(error ? toDeliveryError(error, config) : undefined),
      );
    } catch (error) {
      finish(toDeliveryError(error, config));
    }
  });
}

export const snmpSender: Sender<SnmpConfig> = {
  send(config, notification, context) {
    let varbinds: snmp.Varbind[];
    try {
      varbinds = buildVarbinds(notification);
    } catch (error) {
      return Promise.reject(toDeliveryError(error, config));
    }
    return sendTrap(config, NOTIFICATION_OIDS[notification.transition], varbinds, context);
  },
};
