/**
 * A strict RFC 5424 parser for tests: it throws on anything the ABNF of §6
 * does not allow (bad PRI, long or non-ASCII header fields, unescaped `]` in
 * a PARAM-VALUE, invalid UTF-8), so a round trip through it proves the
 * formatter's output is well formed, not just that it looks right.
 */

export interface ParsedSyslog {
  pri: number;
  version: number;
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: { id: string; params: [string, string][] }[];
  bom: boolean;
  message: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

export function parseRfc5424(bytes: Buffer): ParsedSyslog {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`not RFC 5424 at byte ${at}: ${what} in ${JSON.stringify(bytes.toString('utf8'))}`);
  };
  const expect = (char: string) => {
    if (bytes[at] !== char.charCodeAt(0)) fail(`expected ${JSON.stringify(char)}`);
    at++;
  };
  /** A header field: 1..max printable ASCII up to the next space; "-" is the NILVALUE. */
  const token = (max: number): string | null => {
    const start = at;
    while (at < bytes.length && bytes[at] !== 0x20) {
      const b = bytes[at] ?? 0;
      if (b < 0x21 || b > 0x7e) fail('a non-printable byte in a header field');
      at++;
    }
    const text = bytes.toString('ascii', start, at);
    if (text.length === 0 || text.length > max) fail(`a header field of ${text.length} characters (max ${max})`);
    return text === '-' ? null : text;
  };
  const sdName = (): string => {
    const start = at;
    while (at < bytes.length) {
      const b = bytes[at] ?? 0;
      if (b < 0x21 || b > 0x7e || b === 0x3d || b === 0x5d || b === 0x22) break;
      at++;
    }
    if (at - start < 1 || at - start > 32) fail('an SD-NAME of 1 to 32 characters');
    return bytes.toString('ascii', start, at);
  };

  expect('<');
  const priStart = at;
  while (at < bytes.length && (bytes[at] ?? 0) >= 0x30 && (bytes[at] ?? 0) <= 0x39) at++;
  const priText = bytes.toString('ascii', priStart, at);
  if (!/^(0|[1-9]\d{0,2})$/.test(priText) || Number(priText) > 191) fail('PRI');
  expect('>');
  expect('1');
  expect(' ');
  const timestamp = token(32);
  if (timestamp !== null && !TIMESTAMP.test(timestamp)) fail('TIMESTAMP');
  expect(' ');
  const hostname = token(255);
  expect(' ');
  const appName = token(48);
  expect(' ');
  const procId = token(128);
  expect(' ');
  const msgId = token(32);
  expect(' ');

  const structuredData: ParsedSyslog['structuredData'] = [];
  if (bytes[at] === 0x2d) at++;
  else {
    while (bytes[at] === 0x5b) {
      at++;
      const element = { id: sdName(), params: [] as [string, string][] };
      while (bytes[at] === 0x20) {
        at++;
        const name = sdName();
        expect('=');
        expect('"');
        const value: number[] = [];
        for (;;) {
          if (at >= bytes.length) fail('an unterminated PARAM-VALUE');
          const b = bytes[at++] ?? 0;
          if (b === 0x22) break;
          if (b === 0x5d) fail('an unescaped "]" in a PARAM-VALUE');
          if (b === 0x5c) {
            const next = bytes[at] ?? 0;
            // §6.3.3: only \" \\ \] are escapes; any other backslash is itself.
            if (next === 0x22 || next === 0x5c || next === 0x5d) {
              value.push(next);
              at++;
              continue;
            }
          }
          value.push(b);
        }
        element.params.push([name, utf8.decode(Uint8Array.from(value))]);
      }
      expect(']');
      structuredData.push(element);
    }
    if (structuredData.length === 0) fail('STRUCTURED-DATA');
  }

  if (at === bytes.length) return { ...head(), bom: false, message: null };
  expect(' ');
  const rest = bytes.subarray(at);
  const bom = rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf;
  return { ...head(), bom, message: utf8.decode(bom ? rest.subarray(3) : rest) };

  function head() {
    return { pri: Number(priText), version: 1, timestamp, hostname, appName, procId, msgId, structuredData };
  }
}
