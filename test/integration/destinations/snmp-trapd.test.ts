import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, SendContext } from '../../../server/modules/destinations/notification.ts';
import {
  type SnmpConfig,
  type SnmpV3Config,
  snmpEngineId,
  snmpSender,
  truncateUtf8,
} from '../../../server/modules/destinations/senders/snmp.ts';
import { makeNotification } from '../../helpers/alert-notification.ts';
import { type LoggedTrap, startSnmptrapd, type TrapReceiver } from '../../helpers/snmptrapd.ts';
import { waitFor } from '../../helpers/wait.ts';

/**
 * The real sender against the real Net-SNMP trap receiver: what snmptrapd
 * logs is what a NOC's trap receiver would see. OIDs and values below are
 * written out literally (not taken from the sender's constants), so they
 * check the wire format itself.
 */

const COMMUNITY = 'switchyard-test';
const AUTH_KEY = 'auth-key-0123';
const PRIV_KEY = 'priv-key-4567';

const context = (): SendContext => ({ signal: new AbortController().signal, timeoutMs: 5000 });
const byKey = (key: string) => (trap: LoggedTrap) =>
  trap.varbinds.get('.1.3.6.1.4.1.32473.1.1.12.0') === `STRING: "${key}"` ||
  trap.varbinds.get('SWITCHYARD-MIB::swIdempotencyKey.0') === `STRING: ${key}`;

/** What snmptrapd -On logs for makeNotification()'s defaults, varbind by varbind. */
function numericDefaults(notificationOid: string): Record<string, unknown> {
  return {
    '.1.3.6.1.2.1.1.3.0': expect.stringMatching(/^Timeticks: \(\d+\) /),
    '.1.3.6.1.6.3.1.1.4.1.0': `OID: ${notificationOid}`,
    '.1.3.6.1.4.1.32473.1.1.1.0': 'Gauge32: 42',
    '.1.3.6.1.4.1.32473.1.1.2.0': 'STRING: "node-down"',
    '.1.3.6.1.4.1.32473.1.1.3.0': 'INTEGER: 1',
    '.1.3.6.1.4.1.32473.1.1.4.0': 'INTEGER: 1',
    '.1.3.6.1.4.1.32473.1.1.5.0': 'STRING: "db-pair"',
    '.1.3.6.1.4.1.32473.1.1.6.0': 'STRING: "db-1"',
    '.1.3.6.1.4.1.32473.1.1.7.0': 'STRING: "Node db-1 missed 3 heartbeats"',
    // DateAndTime 2026-11-23 16:30:00.0 +0:0
    '.1.3.6.1.4.1.32473.1.1.8.0': 'Hex-STRING: 07 EA 0B 17 10 1E 00 00 2B 00 00',
    '.1.3.6.1.4.1.32473.1.1.9.0': 'Gauge32: 0',
    '.1.3.6.1.4.1.32473.1.1.10.0': '""',
    '.1.3.6.1.4.1.32473.1.1.11.0': '""',
    '.1.3.6.1.4.1.32473.1.1.12.0': 'STRING: "alert-42-raised-1"',
    '.1.3.6.1.4.1.32473.1.1.13.0': 'STRING: "switchyard-1.example"',
    // DateAndTime 2026-11-23 16:30:05.1 +0:0
    '.1.3.6.1.4.1.32473.1.1.14.0': 'Hex-STRING: 07 EA 0B 17 10 1E 05 01 2B 00 00',
  };
}

function hexValue(trap: LoggedTrap, oid: string): Buffer {
  const value = trap.varbinds.get(oid) ?? '';
  expect(value).toMatch(/^Hex-STRING: /);
  return Buffer.from(value.slice('Hex-STRING: '.length).replaceAll(' ', ''), 'hex');
}

interface V3Case {
  user: string;
  authProtocol: SnmpV3Config['authProtocol'];
  privProtocol: SnmpV3Config['privProtocol'];
  /** the names snmptrapd's createUser uses for the same protocols */
  auth: string;
  priv: string;
  engineId?: string;
}

// Every auth protocol and every priv protocol the contract offers but DES (gone from OpenSSL 3).
const V3_CASES: V3Case[] = [
  { user: 'sy-sha-aes', authProtocol: 'sha', privProtocol: 'aes', auth: 'SHA', priv: 'AES' },
  { user: 'sy-md5-aes', authProtocol: 'md5', privProtocol: 'aes', auth: 'MD5', priv: 'AES' },
  { user: 'sy-sha224-aes', authProtocol: 'sha224', privProtocol: 'aes', auth: 'SHA-224', priv: 'AES' },
  { user: 'sy-sha256-aes256b', authProtocol: 'sha256', privProtocol: 'aes256b', auth: 'SHA-256', priv: 'AES-256' },
  { user: 'sy-sha384-aes256r', authProtocol: 'sha384', privProtocol: 'aes256r', auth: 'SHA-384', priv: 'AES-256-C' },
  { user: 'sy-sha512-aes', authProtocol: 'sha512', privProtocol: 'aes', auth: 'SHA-512', priv: 'AES' },
  {
    user: 'sy-configured-engine',
    authProtocol: 'sha',
    privProtocol: 'aes',
    auth: 'SHA',
    priv: 'AES',
    engineId: '0x80001F8880C0FFEE0001',
  },
];

const v3Config = (c: V3Case, port: number, keys: Partial<SnmpV3Config> = {}): SnmpConfig => ({
  host: '127.0.0.1',
  port,
  version: 'v3',
  v3: {
    user: c.user,
    authProtocol: c.authProtocol,
    privProtocol: c.privProtocol,
    authKey: AUTH_KEY,
    privKey: PRIV_KEY,
    ...(c.engineId ? { engineId: c.engineId } : {}),
    ...keys,
  },
  timeoutMs: 5000,
});

describe('SNMP traps logged by snmptrapd (numeric OIDs)', () => {
  let receiver: TrapReceiver;
  const v2c = (): SnmpConfig => ({
    host: '127.0.0.1',
    port: receiver.port,
    version: 'v2c',
    community: COMMUNITY,
    timeoutMs: 5000,
  });
  const send = (config: SnmpConfig, notification: Notification) => snmpSender.send(config, notification, context());

  beforeAll(async () => {
    receiver = await startSnmptrapd({
      output: 'numeric',
      communities: [COMMUNITY],
      // the receiver learns each sender's engine ID from the function the UI will show it with
      users: V3_CASES.map((c) => ({
        user: c.user,
        engineId: snmpEngineId({ user: c.user, engineId: c.engineId }),
        auth: c.auth,
        authKey: AUTH_KEY,
        priv: c.priv,
        privKey: PRIV_KEY,
      })),
    });
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('v2c: logs the trap with its community, notification OID and every varbind', async () => {
    await send(v2c(), makeNotification());
    const trap = await receiver.waitForTrap('the v2c swAlertRaised trap', byKey('alert-42-raised-1'));
    expect(trap.security).toBe(`TRAP2, SNMP v2c, community ${COMMUNITY}`);
    expect(Object.fromEntries(trap.varbinds)).toEqual(numericDefaults('.1.3.6.1.4.1.32473.0.1'));
  });

  it.each([
    ['raised', '.1.3.6.1.4.1.32473.0.1'],
    ['repeated', '.1.3.6.1.4.1.32473.0.2'],
    ['cleared', '.1.3.6.1.4.1.32473.0.3'],
    ['acknowledged', '.1.3.6.1.4.1.32473.0.4'],
    ['test', '.1.3.6.1.4.1.32473.0.5'],
  ] as const)('v2c: the %s transition is sent as notification %s', async (transition, oid) => {
    const key = `transition-${transition}`;
    await send(v2c(), makeNotification({ transition, idempotencyKey: key }));
    const trap = await receiver.waitForTrap(`the ${transition} trap`, byKey(key));
    expect(trap.varbinds.get('.1.3.6.1.6.3.1.1.4.1.0')).toBe(`OID: ${oid}`);
  });

  it('v2c: carries the acknowledgement, the state and the count', async () => {
    await send(
      v2c(),
      makeNotification({
        transition: 'acknowledged',
        idempotencyKey: 'alert-42-acknowledged-1',
        alert: {
          severity: 'minor',
          state: 'closed-acknowledged',
          count: 7,
          ack: { by: 'alice', at: '2026-11-23T16:40:00.000Z', comment: 'disk replaced' },
        },
      }),
    );
    const trap = await receiver.waitForTrap('the acknowledged trap', byKey('alert-42-acknowledged-1'));
    expect(Object.fromEntries(trap.varbinds)).toEqual({
      ...numericDefaults('.1.3.6.1.4.1.32473.0.4'),
      '.1.3.6.1.4.1.32473.1.1.3.0': 'INTEGER: 3',
      '.1.3.6.1.4.1.32473.1.1.4.0': 'INTEGER: 4',
      '.1.3.6.1.4.1.32473.1.1.9.0': 'Gauge32: 7',
      '.1.3.6.1.4.1.32473.1.1.10.0': 'STRING: "alice"',
      '.1.3.6.1.4.1.32473.1.1.11.0': 'STRING: "disk replaced"',
      '.1.3.6.1.4.1.32473.1.1.12.0': 'STRING: "alert-42-acknowledged-1"',
    });
  });

  it('v2c: a long UTF-8 message arrives cut to 1000 bytes on a character boundary', async () => {
    const message = `Zürich ${'é'.repeat(800)}`;
    await send(v2c(), makeNotification({ idempotencyKey: 'long-message', alert: { message } }));
    const trap = await receiver.waitForTrap('the trap with a long message', byKey('long-message'));
    const received = hexValue(trap, '.1.3.6.1.4.1.32473.1.1.7.0');
    expect(received.length).toBeLessThanOrEqual(1000);
    expect(received.toString('utf8')).toBe(truncateUtf8(message, 1000));
    expect(received.toString('utf8')).toMatch(/^Zürich é+…$/);
  });

  it.each(V3_CASES)('v3 authPriv $authProtocol/$privProtocol: logged, decrypted, for user $user', async (c) => {
    const key = `v3-${c.user}`;
    await send(v3Config(c, receiver.port), makeNotification({ idempotencyKey: key }));
    const trap = await receiver.waitForTrap(`the v3 trap of ${c.user}`, byKey(key));
    expect(trap.security).toBe(`TRAP2, SNMP v3, user ${c.user}, context `);
    expect(Object.fromEntries(trap.varbinds)).toEqual({
      ...numericDefaults('.1.3.6.1.4.1.32473.0.1'),
      '.1.3.6.1.4.1.32473.1.1.12.0': `STRING: "${key}"`,
    });
  });

  it.each([
    { wrong: 'privacy key', keys: { privKey: 'not-the-priv-key' }, report: /error parsing ScopedPDU/ },
    {
      wrong: 'authentication key',
      keys: { authKey: 'not-the-auth-key' },
      report: /Authentication failed for sy-sha-aes/,
    },
  ])('v3 with a wrong $wrong: snmptrapd rejects the trap and logs none of it', async ({ keys, report }) => {
    const [c] = V3_CASES as [V3Case];
    const reportsBefore = receiver.diagnostics().match(new RegExp(report, 'g'))?.length ?? 0;
    await send(v3Config(c, receiver.port, keys), makeNotification({ idempotencyKey: 'sent-with-a-wrong-key' }));
    // proof that it arrived and was refused, rather than lost
    await waitFor('snmptrapd to report the rejected trap', () => {
      return (receiver.diagnostics().match(new RegExp(report, 'g'))?.length ?? 0) > reportsBefore;
    });
    await send(v3Config(c, receiver.port), makeNotification({ idempotencyKey: 'sent-after-the-wrong-key' }));
    await receiver.waitForTrap('the next, correct trap', byKey('sent-after-the-wrong-key'));
    expect(receiver.traps().filter(byKey('sent-with-a-wrong-key'))).toEqual([]);
    expect(receiver.log()).not.toContain('sent-with-a-wrong-key');
  });
});

describe('SNMP traps logged by snmptrapd with SWITCHYARD-MIB loaded', () => {
  let receiver: TrapReceiver;
  beforeAll(async () => {
    receiver = await startSnmptrapd({ output: 'switchyard', communities: [COMMUNITY] });
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('names every varbind, enumeration and time as the MIB describes it', async () => {
    const config: SnmpConfig = {
      host: '127.0.0.1',
      port: receiver.port,
      version: 'v2c',
      community: COMMUNITY,
      timeoutMs: 5000,
    };
    await snmpSender.send(
      config,
      makeNotification({
        transition: 'acknowledged',
        idempotencyKey: 'alert-42-acknowledged-1',
        pairName: 'Zürich pair',
        alert: {
          severity: 'major',
          state: 'open-acknowledged',
          count: 2,
          message: 'Node db-1 is down — 3 heartbeats missed',
          ack: { by: 'alice', at: '2026-11-23T16:31:00.000Z', comment: 'looking at it' },
        },
      }),
      context(),
    );
    const trap = await receiver.waitForTrap('the trap', byKey('alert-42-acknowledged-1'));
    expect(Object.fromEntries(trap.varbinds)).toEqual({
      'SNMPv2-MIB::sysUpTime.0': expect.stringMatching(/^Timeticks: \(\d+\) /),
      'SNMPv2-MIB::snmpTrapOID.0': 'OID: SWITCHYARD-MIB::swAlertAcknowledged',
      'SWITCHYARD-MIB::swAlertId.0': 'Gauge32: 42',
      'SWITCHYARD-MIB::swAlertKind.0': 'STRING: node-down',
      'SWITCHYARD-MIB::swAlertSeverity.0': 'INTEGER: major(2)',
      'SWITCHYARD-MIB::swAlertState.0': 'INTEGER: openAcknowledged(2)',
      'SWITCHYARD-MIB::swPairName.0': 'STRING: Zürich pair',
      'SWITCHYARD-MIB::swNodeName.0': 'STRING: db-1',
      'SWITCHYARD-MIB::swAlertMessage.0': 'STRING: Node db-1 is down — 3 heartbeats missed',
      'SWITCHYARD-MIB::swAlertRaisedAt.0': 'STRING: 2026-11-23,16:30:0.0,+0:0',
      'SWITCHYARD-MIB::swAlertCount.0': 'Gauge32: 2',
      'SWITCHYARD-MIB::swAlertAckBy.0': 'STRING: alice',
      'SWITCHYARD-MIB::swAlertAckComment.0': 'STRING: looking at it',
      'SWITCHYARD-MIB::swIdempotencyKey.0': 'STRING: alert-42-acknowledged-1',
      'SWITCHYARD-MIB::swSource.0': 'STRING: switchyard-1.example',
      'SWITCHYARD-MIB::swEventTime.0': 'STRING: 2026-11-23,16:30:5.1,+0:0',
    });
  });
});

describe('what goes on the wire', () => {
  it('v3 authPriv encrypts the varbinds; v2c does not', async () => {
    const socket = createSocket('udp4');
    const datagrams: Buffer[] = [];
    socket.on('message', (message) => datagrams.push(message));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const port = socket.address().port;
      const [c] = V3_CASES as [V3Case];
      const canary = 'plaintext-canary-4f9c';
      const notification = makeNotification({ idempotencyKey: canary, alert: { message: canary } });
      await snmpSender.send(
        { host: '127.0.0.1', port, version: 'v2c', community: COMMUNITY, timeoutMs: 5000 },
        notification,
        context(),
      );
      await waitFor('the v2c datagram', () => datagrams.length === 1);
      await snmpSender.send(v3Config(c, port), notification, context());
      await waitFor('the v3 datagram', () => datagrams.length === 2);
      const [v2cDatagram, v3Datagram] = datagrams as [Buffer, Buffer];
      expect(v2cDatagram.includes(canary)).toBe(true);
      expect(v3Datagram.includes(canary)).toBe(false);
      // USM sends the user and the sender's engine ID in the clear: the receiver needs them to find the keys
      expect(v3Datagram.includes(c.user)).toBe(true);
      expect(v3Datagram.includes(Buffer.from(snmpEngineId({ user: c.user }), 'hex'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => socket.close(resolve));
    }
  });
});
