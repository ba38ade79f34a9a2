import { createHook } from 'node:async_hooks';
import fc from 'fast-check';
import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { snmpConfig } from '../../../server/contract/destinations.ts';
import { DeliveryError } from '../../../server/modules/destinations/notification.ts';
import {
  buildVarbinds,
  dateAndTime,
  NOTIFICATION_OIDS,
  type SnmpConfig,
  snmpEngineId,
  snmpSender,
  toDeliveryError,
  truncateUtf8,
} from '../../../server/modules/destinations/senders/snmp.ts';
import { makeNotification } from '../../helpers/alert-notification.ts';
import { waitFor } from '../../helpers/wait.ts';

// The pure parts of the SNMP sender: varbinds, truncation, engine IDs, error mapping.

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('truncateUtf8', () => {
  it.each([
    { text: 'short', max: 10, expected: 'short' },
    { text: 'exactly10!', max: 10, expected: 'exactly10!' },
    { text: 'eleven char', max: 10, expected: 'eleven …' },
    // é is 2 bytes: 7 bytes of room would split the 4th é, so 3 are kept
    { text: 'éééééé', max: 10, expected: 'ééé…' },
    // 🚀 is 4 bytes and is never split
    { text: 'ab🚀cdef', max: 8, expected: 'ab…' },
    { text: 'ab🚀cdef', max: 9, expected: 'ab🚀…' },
    { text: 'anything', max: 2, expected: '' },
    { text: '', max: 0, expected: '' },
  ])('$text in $max bytes → $expected', ({ text, max, expected }) => {
    expect(truncateUtf8(text, max)).toBe(expected);
  });

  it('never exceeds the limit, never splits a character and keeps a prefix of the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 3, max: 300 }), (text, max) => {
        const cut = truncateUtf8(text, max);
        expect(bytes(cut)).toBeLessThanOrEqual(max);
        // a split character would decode to U+FFFD and not round-trip
        expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
        if (bytes(text) <= max) expect(cut).toBe(text);
        else {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          // nothing more would have fitted: the next character is bigger than what is left
          const rest = [...text.slice(cut.length - 1)];
          expect(bytes(cut) + bytes(rest[0] ?? '')).toBeGreaterThan(max);
        }
      }),
    );
  });
});

describe('dateAndTime', () => {
  it('encodes UTC as the 11 octets of SNMPv2-TC DateAndTime', () => {
    expect([...dateAndTime('2026-11-23T16:30:05.123Z')]).toEqual([
      0x07,
      0xea,
      11,
      23,
      16,
      30,
      5,
      1,
      '+'.charCodeAt(0),
      0,
      0,
    ]);
  });

  it('converts an offset time to UTC', () => {
    expect([...dateAndTime('2026-01-01T01:00:00.999+02:00')].slice(0, 8)).toEqual([0x07, 0xe9, 12, 31, 23, 0, 0, 9]);
  });

  it('refuses what is not a time', () => {
    expect(() => dateAndTime('yesterday')).toThrow(/not an ISO time/);
  });
});

describe('buildVarbinds', () => {
  const oid = (n: number) => `1.3.6.1.4.1.32473.1.1.${n}.0`;
  const { Gauge, Integer, OctetString } = snmp.ObjectType;
  const str = (text: string) => Buffer.from(text, 'utf8');

  it('carries every object of the MIB in its order, with the instance .0', () => {
    const varbinds = buildVarbinds(
      makeNotification({
        transition: 'acknowledged',
        alert: {
          severity: 'major',
          state: 'open-acknowledged',
          count: 2,
          ack: { by: 'alice', at: '2026-11-23T16:31:00.000Z', comment: 'looking at it' },
        },
      }),
    );
    expect(varbinds).toEqual([
      { oid: oid(1), type: Gauge, value: 42 },
      { oid: oid(2), type: OctetString, value: str('node-down') },
      { oid: oid(3), type: Integer, value: 2 },
      { oid: oid(4), type: Integer, value: 2 },
      { oid: oid(5), type: OctetString, value: str('db-pair') },
      { oid: oid(6), type: OctetString, value: str('db-1') },
      { oid: oid(7), type: OctetString, value: str('Node db-1 missed 3 heartbeats') },
      { oid: oid(8), type: OctetString, value: Buffer.from([0x07, 0xea, 11, 23, 16, 30, 0, 0, 0x2b, 0, 0]) },
      { oid: oid(9), type: Gauge, value: 2 },
      { oid: oid(10), type: OctetString, value: str('alice') },
      { oid: oid(11), type: OctetString, value: str('looking at it') },
      { oid: oid(12), type: OctetString, value: str('alert-42-raised-1') },
      { oid: oid(13), type: OctetString, value: str('switchyard-1.example') },
      { oid: oid(14), type: OctetString, value: Buffer.from([0x07, 0xea, 11, 23, 16, 30, 5, 1, 0x2b, 0, 0]) },
    ]);
  });

  it.each([
    ['critical', 1],
    ['major', 2],
    ['minor', 3],
    ['info', 4],
  ] as const)('severity %s is SwSeverity %i', (severity, value) => {
    expect(buildVarbinds(makeNotification({ alert: { severity } }))[2]?.value).toBe(value);
  });

  it.each([
    ['open', 1],
    ['open-acknowledged', 2],
    ['closed', 3],
    ['closed-acknowledged', 4],
  ] as const)('state %s is SwState %i', (state, value) => {
    expect(buildVarbinds(makeNotification({ alert: { state } }))[3]?.value).toBe(value);
  });

  it('sends empty strings for a missing pair, node and acknowledgement', () => {
    const varbinds = buildVarbinds(makeNotification({ pairName: null, nodeName: null, alert: { ack: null } }));
    for (const n of [5, 6, 10, 11]) expect(varbinds.find((v) => v.oid === oid(n))?.value).toEqual(Buffer.alloc(0));
  });

  it('cuts the message and the comment to 1000 bytes and names to 255, on a character boundary', () => {
    const long = 'ü'.repeat(1500);
    const varbinds = buildVarbinds(
      makeNotification({
        pairName: 'p'.repeat(300),
        alert: { message: long, ack: { by: 'b', at: '2026-11-23T16:31:00.000Z', comment: long } },
      }),
    );
    const value = (n: number) => varbinds.find((v) => v.oid === oid(n))?.value as Buffer;
    for (const n of [7, 11]) {
      expect(value(n).length).toBeLessThanOrEqual(1000);
      expect(value(n).toString('utf8')).toBe(truncateUtf8(long, 1000));
    }
    expect(value(5).length).toBeLessThanOrEqual(255);
    expect(value(5).toString('utf8').endsWith('…')).toBe(true);
  });

  it('keeps counts within Unsigned32', () => {
    expect(buildVarbinds(makeNotification({ alert: { count: 2 ** 40 } }))[8]?.value).toBe(0xffffffff);
  });

  it('has one notification OID per transition, under the MIB', () => {
    expect(NOTIFICATION_OIDS).toEqual({
      raised: '1.3.6.1.4.1.32473.0.1',
      repeated: '1.3.6.1.4.1.32473.0.2',
      cleared: '1.3.6.1.4.1.32473.0.3',
      acknowledged: '1.3.6.1.4.1.32473.0.4',
      test: '1.3.6.1.4.1.32473.0.5',
    });
  });
});

describe('snmpEngineId', () => {
  it('uses the configured engine ID, normalised as net-snmp reads it', () => {
    expect(snmpEngineId({ user: 'u', engineId: '0x80001F8880ABCDEF' })).toBe('80001f8880abcdef');
    expect(snmpEngineId({ user: 'u', engineId: '8000ABCDE' })).toBe('08000abcde');
  });

  it('derives a stable RFC 3411 engine ID from the user name otherwise', () => {
    const id = snmpEngineId({ user: 'switchyard' });
    // 0x80 | PEN 32473, format 5 (octets), 12 octets
    expect(id).toMatch(/^80007ed905[0-9a-f]{24}$/);
    expect(snmpEngineId({ user: 'switchyard' })).toBe(id);
    expect(snmpEngineId({ user: 'switchyard', engineId: undefined })).toBe(id);
    expect(snmpEngineId({ user: 'another' })).not.toBe(id);
  });

  it('derives an ID that the API accepts as a configured engineId', () => {
    const parsed = snmpConfig.parse({
      host: 'h',
      version: 'v3',
      v3: { user: 'u', authKey: '12345678', privKey: '12345678', engineId: snmpEngineId({ user: 'u' }) },
    });
    expect(parsed.v3?.engineId).toBe(snmpEngineId({ user: 'u' }));
  });
});

describe('toDeliveryError', () => {
  const config = { host: 'trap.example', port: 162 };
  const coded = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

  it.each([
    ['ENOTFOUND', true],
    ['EAI_AGAIN', true],
    ['ENETUNREACH', true],
    ['EHOSTUNREACH', true],
    ['ECONNREFUSED', true],
    ['EPERM', true],
    ['EMSGSIZE', false],
    ['EINVAL', false],
    ['ERR_SOCKET_BAD_PORT', false],
  ])('%s → retryable %s', (code, retryable) => {
    const error = toDeliveryError(coded(code), config);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.retryable).toBe(retryable);
  });

  it('names the host of a failed lookup', () => {
    expect(toDeliveryError(coded('ENOTFOUND'), config).message).toBe('SNMP: cannot resolve trap.example (ENOTFOUND)');
  });

  it('refuses DES in the configuration: OpenSSL 3 cannot do it', () => {
    const v3 = { user: 'u', authProtocol: 'sha', authKey: 'k1k1k1k1', privProtocol: 'des', privKey: 'k1k1k1k1' };
    const parsed = snmpConfig.safeParse({ host: 'h', version: 'v3', v3 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['v3', 'privProtocol']);
  });

  it('does not retry what net-snmp could not encode', () => {
    expect(toDeliveryError(new RangeError('bad value'), config).retryable).toBe(false);
    expect(toDeliveryError('odd', config).retryable).toBe(false);
  });
});

describe('snmpSender without a receiver', () => {
  const v2c: SnmpConfig = { host: '127.0.0.1', port: 9, version: 'v2c', community: 'c', timeoutMs: 5000 };
  const context = () => ({ signal: new AbortController().signal, timeoutMs: 5000 });

  it('fails a name that does not resolve as retryable', async () => {
    const sending = snmpSender.send({ ...v2c, host: 'no-such-host.invalid' }, makeNotification(), context());
    await expect(sending).rejects.toMatchObject({ name: 'DeliveryError', retryable: true });
  });

  it('does not start when the attempt is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const sending = snmpSender.send(v2c, makeNotification(), { signal: controller.signal, timeoutMs: 5000 });
    await expect(sending).rejects.toMatchObject({ retryable: true, message: 'SNMP: trap to 127.0.0.1:9 aborted' });
  });

  it('gives up, retryably, when the attempt is aborted before the datagram is out', async () => {
    const controller = new AbortController();
    // the socket binds asynchronously, so nothing is sent before abort() runs
    const sending = snmpSender.send(v2c, makeNotification(), { signal: controller.signal, timeoutMs: 5000 });
    controller.abort();
    await expect(sending).rejects.toMatchObject({ retryable: true, message: 'SNMP: trap to 127.0.0.1:9 aborted' });
  });

  it('rejects a notification whose time is not a time, without retrying', async () => {
    const sending = snmpSender.send(v2c, makeNotification({ at: 'never' }), context());
    await expect(sending).rejects.toMatchObject({ retryable: false });
  });

  it('rejects a config without its credentials, without retrying', async () => {
    await expect(
      snmpSender.send({ ...v2c, community: undefined }, makeNotification(), context()),
    ).rejects.toMatchObject({ retryable: false, message: 'SNMP v2c needs a community' });
    await expect(snmpSender.send({ ...v2c, version: 'v3' }, makeNotification(), context())).rejects.toMatchObject({
      retryable: false,
    });
  });

  it('closes its socket and clears its timer after every attempt, sent or failed', async () => {
    // net-snmp unrefs its sockets, so only async_hooks sees them all: track what the sends create
    const created = { UDPWRAP: 0, Timeout: 0 };
    const open = new Set<number>();
    let recording = true;
    const hook = createHook({
      init(id, type) {
        if (recording && (type === 'UDPWRAP' || type === 'Timeout')) {
          created[type]++;
          open.add(id);
        }
      },
      destroy(id) {
        open.delete(id);
      },
    }).enable();
    // a timer left running (20 s) would outlive the wait below (10 s)
    const slow = { ...v2c, timeoutMs: 20_000 };
    const context = () => ({ signal: new AbortController().signal, timeoutMs: 20_000 });
    // port 9 (discard): nothing needs to listen for a UDP datagram to leave
    await snmpSender.send(slow, makeNotification(), context());
    await snmpSender.send({ ...slow, host: '::1' }, makeNotification(), context());
    await expect(
      snmpSender.send({ ...slow, host: 'no-such-host.invalid' }, makeNotification(), context()),
    ).rejects.toThrow();
    const v3: SnmpConfig = {
      ...slow,
      version: 'v3',
      v3: { user: 'u', authProtocol: 'sha', authKey: '12345678', privProtocol: 'aes', privKey: '12345678' },
    };
    await snmpSender.send(v3, makeNotification(), context());
    const controller = new AbortController();
    const aborted = snmpSender.send(slow, makeNotification(), { signal: controller.signal, timeoutMs: 20_000 });
    controller.abort();
    await expect(aborted).rejects.toThrow(/aborted/);
    recording = false;
    try {
      expect(created).toEqual({ UDPWRAP: 5, Timeout: 5 });
      await waitFor('every socket and timer of the sends to be gone', () => open.size === 0);
    } finally {
      hook.disable();
    }
  });
});
