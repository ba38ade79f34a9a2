import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertKind, severity } from '../../../server/contract/alerts.ts';
import { syslogSeverity } from '../../../server/modules/destinations/notification.ts';
import {
  cutUtf8,
  escapeParamValue,
  formatSyslogMessage,
  frameOctetCounting,
  priority,
  SYSLOG_MAX_BYTES,
  type SyslogFields,
} from '../../../server/modules/destinations/senders/rfc5424.ts';
import { SD_ID, syslogFields } from '../../../server/modules/destinations/senders/syslog.ts';
import { sampleNotification } from '../../helpers/notification.ts';
import { parseRfc5424 } from '../../helpers/rfc5424-parser.ts';

const BOM = '\u{feff}';
const config = { facility: 16, appName: 'switchyard' };

const fields = (overrides: Partial<SyslogFields> = {}): SyslogFields => ({
  facility: 16,
  severity: 2,
  timestamp: '2025-03-01T10:15:30.250Z',
  hostname: 'switchyard-1.example.net',
  appName: 'switchyard',
  procId: 4242,
  msgId: 'pair-outage',
  structuredData: [{ id: SD_ID, params: [['alertId', 42]] }],
  message: 'CRITICAL pair-outage orders: Pair orders has no active node',
  ...overrides,
});

describe('PRI', () => {
  it.each([
    [0, 0, 0],
    [16, 2, 130],
    [23, 7, 191],
    [1, 6, 14],
  ])('facility %i, severity %i → %i', (facility, sev, pri) => {
    expect(priority(facility, sev)).toBe(pri);
  });

  it.each([
    [24, 0],
    [-1, 0],
    [0, 8],
    [1.5, 0],
  ])('refuses facility %s / severity %s', (facility, sev) => {
    expect(() => priority(facility, sev)).toThrow(RangeError);
  });

  it.each([
    ['critical', 2],
    ['major', 3],
    ['minor', 4],
    ['info', 6],
  ] as const)('an alert of severity %s is syslog severity %i', (alertSeverity, expected) => {
    const n = sampleNotification({ alert: { severity: alertSeverity } });
    expect(syslogFields(config, n, 1).severity).toBe(expected);
    expect(parseRfc5424(formatSyslogMessage(syslogFields(config, n, 1))).pri).toBe(16 * 8 + expected);
  });
});

describe('escaping PARAM-VALUEs', () => {
  it.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\path', 'C:\\\\path'],
    ['a]b', 'a\\]b'],
    ['[x]', '[x\\]'],
    ['\\"]', '\\\\\\"\\]'],
    ['ünïcödé', 'ünïcödé'],
  ])('%j → %j', (raw, escaped) => {
    expect(escapeParamValue(raw)).toBe(escaped);
  });

  it('round-trips through a strict parser', () => {
    const value = 'odd "name" with \\ and ] inside';
    const parsed = parseRfc5424(
      formatSyslogMessage(fields({ structuredData: [{ id: SD_ID, params: [['pair', value]] }] })),
    );
    expect(parsed.structuredData).toEqual([{ id: SD_ID, params: [['pair', value]] }]);
  });
});

describe('the message of a notification', () => {
  it('is exactly the documented line', () => {
    const n = sampleNotification({ nodeName: 'db-1' });
    const bytes = formatSyslogMessage(syslogFields(config, n, 4242));
    expect(bytes.toString('utf8')).toBe(
      '<130>1 2025-03-01T10:15:30.250Z switchyard-1.example.net switchyard 4242 pair-outage ' +
        `[${SD_ID} alertId="42" kind="pair-outage" severity="critical" transition="raised" pair="orders" node="db-1" key="alert-42:raised:1"] ` +
        'CRITICAL pair-outage orders/db-1: Pair orders has no active node',
    );
  });

  it('leaves out the pair and node params when there are none', () => {
    const n = sampleNotification({ pairName: null, nodeName: null, alert: { kind: 'global-brake', pairId: null } });
    const [element] = parseRfc5424(formatSyslogMessage(syslogFields(config, n, 1))).structuredData;
    expect(element?.params.map(([name]) => name)).toEqual(['alertId', 'kind', 'severity', 'transition', 'key']);
  });

  it('uses the alert kind as MSGID: every kind fits the 32 printable characters', () => {
    for (const kind of alertKind.options) {
      const parsed = parseRfc5424(
        formatSyslogMessage(syslogFields(config, sampleNotification({ alert: { kind } }), 1)),
      );
      expect(parsed.msgId).toBe(kind);
    }
    expect(severity.options.map(syslogSeverity)).toEqual([2, 3, 4, 6]);
  });
});

describe('header fields', () => {
  it('turns empty fields into the NILVALUE and unusable characters into "_"', () => {
    const parsed = parseRfc5424(
      formatSyslogMessage(fields({ timestamp: 'not a time', hostname: '', procId: null, msgId: 'two words' })),
    );
    expect(parsed).toMatchObject({ timestamp: null, hostname: null, procId: null, msgId: 'two_words' });
  });

  it('cuts each field to its RFC length', () => {
    const parsed = parseRfc5424(
      formatSyslogMessage(fields({ hostname: 'h'.repeat(300), appName: 'a'.repeat(60), msgId: 'm'.repeat(40) })),
    );
    expect([parsed.hostname?.length, parsed.appName?.length, parsed.msgId?.length]).toEqual([255, 48, 32]);
  });

  it('writes any ISO time as UTC with milliseconds', () => {
    expect(parseRfc5424(formatSyslogMessage(fields({ timestamp: '2025-03-01T12:15:30+02:00' }))).timestamp).toBe(
      '2025-03-01T10:15:30.000Z',
    );
  });
});

describe('BOM', () => {
  it('is absent from an ASCII message', () => {
    const bytes = formatSyslogMessage(fields({ message: 'plain ascii' }));
    expect(parseRfc5424(bytes)).toMatchObject({ bom: false, message: 'plain ascii' });
  });

  it('starts a message with any non-ASCII text', () => {
    const bytes = formatSyslogMessage(fields({ message: 'nœud db-1 est tombé' }));
    expect(bytes.includes(Buffer.from(` ${BOM}nœud`))).toBe(true);
    expect(parseRfc5424(bytes)).toMatchObject({ bom: true, message: 'nœud db-1 est tombé' });
  });
});

describe('length', () => {
  it('keeps a long message within 2048 bytes, cut on a character boundary', () => {
    const message = '€'.repeat(2000); // three bytes each: a cut anywhere else would split one
    const bytes = formatSyslogMessage(fields({ message }));
    expect(bytes.length).toBeLessThanOrEqual(SYSLOG_MAX_BYTES);
    expect(bytes.length).toBeGreaterThan(SYSLOG_MAX_BYTES - 6);
    const parsed = parseRfc5424(bytes);
    expect(parsed.message).toMatch(/^€+\.\.\.$/);
  });

  it('leaves a message that fits alone', () => {
    const message = 'x'.repeat(1000);
    expect(parseRfc5424(formatSyslogMessage(fields({ message }))).message).toBe(message);
  });

  it('caps structured data values so the header never crowds out the message', () => {
    const n = sampleNotification({ pairName: '"]'.repeat(500), idempotencyKey: 'k'.repeat(5000) });
    const parsed = parseRfc5424(formatSyslogMessage(syslogFields(config, n, 1)));
    const params = Object.fromEntries(parsed.structuredData[0]?.params ?? []);
    expect(params.pair).toBe('"]'.repeat(128));
    expect(params.key).toBe('k'.repeat(256));
  });

  it('refuses a header that alone is longer than the limit', () => {
    expect(() => formatSyslogMessage(fields(), 40)).toThrow(RangeError);
  });

  it('holds for any notification text (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 3000 });
    fc.assert(
      fc.property(text, text, fc.option(text), fc.option(text), text, (message, key, pair, node, source) => {
        const n = sampleNotification({
          idempotencyKey: key,
          pairName: pair,
          nodeName: node,
          source,
          alert: { message },
        });
        const bytes = formatSyslogMessage(syslogFields(config, n, process.pid));
        expect(bytes.length).toBeLessThanOrEqual(SYSLOG_MAX_BYTES);
        const parsed = parseRfc5424(bytes);
        expect(parsed.pri).toBe(130);
        expect(parsed.msgId).toBe('pair-outage');
      }),
      { numRuns: 300 },
    );
  });
});

describe('helpers', () => {
  it.each([
    ['abc', 2, 'ab'],
    ['aé', 2, 'a'],
    ['aé', 3, 'aé'],
    ['😀', 3, ''],
    ['x😀', 5, 'x😀'],
  ])('cutUtf8(%j, %i) → %j', (text, max, expected) => {
    expect(cutUtf8(Buffer.from(text), max).toString('utf8')).toBe(expected);
  });

  it('frames for TCP by octet count (RFC 6587), counting bytes not characters', () => {
    expect(frameOctetCounting(Buffer.from('<14>1 - - - - - - é')).toString('utf8')).toBe('20 <14>1 - - - - - - é');
  });
});
