/**
 * RFC 5424 syslog messages, pure:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" …] MSG
 *
 * MSG carries a UTF-8 BOM only when it holds non-ASCII text: §6.4 asks for the
 * BOM whenever MSG is UTF-8, and an ASCII-only MSG is the same bytes under
 * either reading, so the common case stays free of a BOM that many viewers
 * print as garbage.
 */

/** What every receiver must accept (RFC 5424 §6.1); we keep every message within it, UDP or TCP. */
export const SYSLOG_MAX_BYTES = 2048;
/** Longest SD-PARAM value we send, in UTF-8 bytes before escaping; keeps header + SD well inside the limit. */
export const SD_VALUE_MAX_BYTES = 256;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ELLIPSIS = Buffer.from('...');
const SP = Buffer.from(' ');

export interface SdElement {
  /** SD-ID, e.g. `switchyard@32473` */
  id: string;
  /** params in order; null values are left out */
  params: [name: string, value: string | number | null][];
}

export interface SyslogFields {
  facility: number;
  severity: number;
  /** ISO 8601; anything unparseable becomes the NILVALUE */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | number | null;
  msgId: string | null;
  structuredData: SdElement[];
  message: string;
}

/** PRI = facility × 8 + severity (§6.2.1). */
export function priority(facility: number, severity: number): number {
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new RangeError(`facility ${facility}`);
  if (!Number.isInteger(severity) || severity < 0 || severity > 7) throw new RangeError(`severity ${severity}`);
  return facility * 8 + severity;
}

/** `\`, `"` and `]` are the three characters a PARAM-VALUE escapes (§6.3.3). */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * The whole message as bytes, at most `maxBytes` long: an over-long MSG is
 * cut on a UTF-8 character boundary and ends in "...". Throws a RangeError
 * when header and structured data alone do not fit (a programming error:
 * every field is bounded).
 */
export function formatSyslogMessage(fields: SyslogFields, maxBytes = SYSLOG_MAX_BYTES): Buffer {
  const header = [
    `<${priority(fields.facility, fields.severity)}>1`,
    timestamp(fields.timestamp),
    headerField(fields.hostname, 255),
    headerField(fields.appName, 48),
    headerField(fields.procId === null ? null : String(fields.procId), 128),
    headerField(fields.msgId, 32),
    structuredData(fields.structuredData),
  ].join(' ');
  const head = Buffer.from(header, 'utf8');
  const text = Buffer.from(fields.message, 'utf8');
  if (text.length === 0) {
    if (head.length > maxBytes) throw tooLong(head.length, maxBytes);
    return head;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: any byte above 0x7f means UTF-8 text
  const bom = /[^\u0000-\u007f]/.test(fields.message) ? BOM : Buffer.alloc(0);
  const room = maxBytes - head.length - SP.length - bom.length;
  if (text.length <= room) return Buffer.concat([head, SP, bom, text]);
  if (room < ELLIPSIS.length) throw tooLong(head.length, maxBytes);
  return Buffer.concat([head, SP, bom, cutUtf8(text, room - ELLIPSIS.length), ELLIPSIS]);
}

/** RFC 6587 §3.4.1 octet counting for TCP: `<length> <message>`. */
export function frameOctetCounting(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

/** The longest prefix of `bytes` within `max` bytes that does not split a UTF-8 character. */
export function cutUtf8(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let end = Math.max(0, max);
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function tooLong(headBytes: number, maxBytes: number): RangeError {
  return new RangeError(`syslog header and structured data take ${headBytes} bytes, too many for ${maxBytes}`);
}

function timestamp(iso: string | null): string {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? '-' : new Date(ms).toISOString();
}

/** Header fields are printable US-ASCII without spaces (§6): others become `_`; empty is the NILVALUE. */
function headerField(value: string | null, maxChars: number): string {
  const clean = (value ?? '').replace(/[^!-~]/g, '_').slice(0, maxChars);
  return clean === '' ? '-' : clean;
}

/** SD-NAMEs are printable ASCII except `=`, space, `]` and `"`, at most 32 characters (§6.3.2). */
function sdName(name: string): string {
  if (!/^[!#-<>-\\^-~]{1,32}$/.test(name)) throw new RangeError(`invalid SD-NAME ${JSON.stringify(name)}`);
  return name;
}

function structuredData(elements: SdElement[]): string {
  if (elements.length === 0) return '-';
  return elements
    .map(({ id, params }) => {
      const pairs = params
        .filter((p): p is [string, string | number] => p[1] !== null)
        .map(([name, value]) => ` ${sdName(name)}="${escapeParamValue(paramValue(String(value)))}"`);
      return `[${sdName(id)}${pairs.join('')}]`;
    })
    .join('');
}

function paramValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: receivers escape control characters (rsyslog: #012), so we never send them
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return cutUtf8(Buffer.from(clean, 'utf8'), SD_VALUE_MAX_BYTES).toString('utf8');
}
