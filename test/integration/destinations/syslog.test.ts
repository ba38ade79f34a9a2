import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syslogConfig } from '../../../server/contract/destinations.ts';
import { DeliveryError, type Notification } from '../../../server/modules/destinations/notification.ts';
import { formatSyslogMessage } from '../../../server/modules/destinations/senders/rfc5424.ts';
import { syslogFields, syslogSender } from '../../../server/modules/destinations/senders/syslog.ts';
import { sampleNotification, sendContext } from '../../helpers/notification.ts';
import { parseRfc5424 } from '../../helpers/rfc5424-parser.ts';
import { type Rsyslog, startRsyslog } from '../../helpers/rsyslog.ts';
import { waitFor } from '../../helpers/wait.ts';

let rsyslog: Rsyslog;
beforeAll(async () => {
  rsyslog = await startRsyslog();
});
afterAll(async () => {
  await rsyslog?.stop();
});

const config = (transport: 'udp' | 'tcp', overrides: Record<string, unknown> = {}) =>
  syslogConfig.parse({
    host: '127.0.0.1',
    port: transport === 'udp' ? rsyslog.udpPort : rsyslog.tcpPort,
    transport,
    ...overrides,
  });

/** Sends with the real sender and returns what rsyslog parsed from it (matched by the idempotency key). */
async function deliver(transport: 'udp' | 'tcp', n: Notification, overrides: Record<string, unknown> = {}) {
  await syslogSender.send(config(transport, overrides), n, sendContext(5000));
  return rsyslog.waitForLine(`the ${transport} message ${n.idempotencyKey}`, (line) => {
    return line['rfc5424-sd']?.['switchyard@32473']?.key === n.idempotencyKey;
  });
}

describe('syslog sender against rsyslog', () => {
  it.each(['udp', 'tcp'] as const)('rsyslog parses every field of a message sent over %s', async (transport) => {
    const n = sampleNotification({ idempotencyKey: `alert-42:raised:${transport}`, nodeName: 'db-1' });
    const line = await deliver(transport, n);
    expect(line).toEqual({
      input: transport === 'udp' ? 'imudp' : 'imtcp',
      pri: '130', // local0 (16) × 8 + crit (2)
      version: '1',
      timestamp: '2025-03-01T10:15:30.250Z',
      hostname: 'switchyard-1.example.net',
      appname: 'switchyard',
      procid: String(process.pid),
      msgid: 'pair-outage',
      sd: `[switchyard@32473 alertId="42" kind="pair-outage" severity="critical" transition="raised" pair="orders" node="db-1" key="alert-42:raised:${transport}"]`,
      'rfc5424-sd': {
        'switchyard@32473': {
          alertId: '42',
          kind: 'pair-outage',
          severity: 'critical',
          transition: 'raised',
          pair: 'orders',
          node: 'db-1',
          key: `alert-42:raised:${transport}`,
        },
      },
      msg: 'CRITICAL pair-outage orders/db-1: Pair orders has no active node',
    });
  });

  it.each([
    ['critical', 0, '2'],
    ['major', 4, '35'],
    ['minor', 16, '132'],
    ['info', 23, '190'],
  ] as const)('a %s alert with facility %i arrives with PRI %s', async (severity, facility, pri) => {
    const n = sampleNotification({ idempotencyKey: `pri-${severity}`, alert: { severity } });
    const line = await deliver('udp', n, { facility, appName: 'sy-test' });
    expect([line.pri, line.appname]).toEqual([pri, 'sy-test']);
  });

  it.each(['udp', 'tcp'] as const)(
    'escaped `"`, `\\` and `]` and a UTF-8 message with its BOM arrive intact over %s',
    async (transport) => {
      const key = `odd "key" \\ with ] inside ${transport}`;
      const n = sampleNotification({
        idempotencyKey: key,
        transition: 'cleared',
        alert: { message: 'nœud db-1 est revenu — “ok”' },
      });
      const line = await deliver(transport, n);
      expect(line.sd).toContain(`key="odd \\"key\\" \\\\ with \\] inside ${transport}"`);
      expect(line['rfc5424-sd']?.['switchyard@32473']?.key).toBe(key);
      expect(line.msgid).toBe('pair-outage');
      expect(line['rfc5424-sd']?.['switchyard@32473']?.transition).toBe('cleared');
      expect(line.msg).toBe('\u{feff}CRITICAL pair-outage orders cleared: nœud db-1 est revenu — “ok”');
    },
  );

  it('truncates a long message on a character boundary so the datagram stays within 2048 bytes', async () => {
    const n = sampleNotification({ idempotencyKey: 'long-udp', alert: { message: 'é'.repeat(3000) } });
    const formatted = formatSyslogMessage(syslogFields(config('udp'), n, process.pid));
    expect(formatted.length).toBeLessThanOrEqual(2048);
    const line = await deliver('udp', n);
    const expected = parseRfc5424(formatted).message ?? '';
    expect(expected).toMatch(/^CRITICAL pair-outage orders: é+\.\.\.$/);
    expect(line.msg).toBe(`\u{feff}${expected}`);
  });

  it('reports a refused TCP connection as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const attempt = syslogSender.send(config('tcp', { port }), sampleNotification(), sendContext(2000));
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('over TCP, writes one frame and closes even when the peer never reads or closes', async () => {
    const sockets = new Set<Socket>();
    const received: Buffer[] = [];
    const mute = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = mute.address() as { port: number };
      const n = sampleNotification();
      await syslogSender.send(config('tcp', { port }), n, sendContext(2000));
      const frame = await waitFor('the frame to arrive', () => {
        const bytes = Buffer.concat(received);
        const space = bytes.indexOf(0x20);
        return space > 0 && bytes.length === space + 1 + Number(bytes.subarray(0, space).toString()) ? bytes : null;
      });
      const space = frame.indexOf(0x20);
      expect(parseRfc5424(frame.subarray(space + 1)).msgId).toBe('pair-outage');
      // Our side ended; the peer's half-open socket sees the end of the stream.
      await waitFor('the peer to see the end of the stream', () =>
        [...sockets].every((s) => s.readableEnded || s.destroyed),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });
});
