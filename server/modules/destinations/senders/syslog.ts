import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { z } from 'zod';
import type { syslogConfig } from '../../../contract/destinations.ts';
import { DeliveryError, type Notification, type Sender, syslogSeverity } from '../notification.ts';
import { headline } from './alert-text.ts';
import { withDeadline } from './deadline.ts';
import { formatSyslogMessage, frameOctetCounting, type SyslogFields } from './rfc5424.ts';

export type SyslogConfig = z.infer<typeof syslogConfig>;

/**
 * Our SD-ID. 32473 is the private enterprise number IANA reserves for
 * documentation (RFC 5612); a registered number would replace it.
 */
export const SD_ID = 'switchyard@32473';

/**
 * The RFC 5424 fields of a notification. MSGID is the alert kind (the type of
 * message a receiver filters on); the transition travels in the structured
 * data beside the ids, and MSG is the same headline the e-mail subject uses.
 */
export function syslogFields(
  config: Pick<SyslogConfig, 'facility' | 'appName'>,
  n: Notification,
  procId: number | string | null,
): SyslogFields {
  const { alert } = n;
  return {
    facility: config.facility,
    severity: syslogSeverity(alert.severity),
    timestamp: n.at,
    hostname: n.source,
    appName: config.appName,
    procId,
    msgId: alert.kind,
    structuredData: [
      {
        id: SD_ID,
        params: [
          ['alertId', alert.id],
          ['kind', alert.kind],
          ['severity', alert.severity],
          ['transition', n.transition],
          ['pair', n.pairName],
          ['node', n.nodeName],
          ['key', n.idempotencyKey],
        ],
      },
    ],
    message: headline(n),
  };
}

export function createSyslogSender(options: { procId?: number | string | null } = {}): Sender<SyslogConfig> {
  const procId = options.procId === undefined ? process.pid : options.procId;
  return {
    send: (config, notification, context) =>
      withDeadline(context, async (signal) => {
        const message = formatSyslogMessage(syslogFields(config, notification, procId));
        if (config.transport === 'udp') await sendUdp(config.host, config.port, message, signal);
        else await sendTcp(config.host, config.port, frameOctetCounting(message), signal);
      }),
  };
}

export const syslogSender: Sender<SyslogConfig> = createSyslogSender();

/** One datagram; resolves once it is handed to the network (UDP has no receipt). */
async function sendUdp(host: string, port: number, message: Buffer, signal: AbortSignal): Promise<void> {
  const target = await resolve(host);
  signal.throwIfAborted();
  const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((done, fail) => {
    let settled = false;
    const finish = (error?: Error | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (error instanceof DeliveryError) fail(error);
      else if (error) fail(new DeliveryError(`syslog over UDP to ${host}:${port}: ${error.message}`, true));
      else done();
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', finish);
    socket.send(message, port, target.address, (error) => finish(error));
  });
}

/**
 * Connect, write one octet-counted frame, end. Resolves once the frame is
 * flushed to the kernel; the socket is destroyed then rather than waiting for
 * the peer's FIN (the kernel still delivers what it holds, then sends ours),
 * so a peer that never closes cannot hold the attempt open. Syslog over TCP
 * has no receipt: "written" is as delivered as it gets.
 */
function sendTcp(host: string, port: number, frame: Buffer, signal: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const socket = net.connect({ host, port });
    let written = false;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) fail(error);
      else done();
    };
    const onAbort = () => settle(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) =>
      settle(new DeliveryError(`syslog over TCP to ${host}:${port}: ${error.message}`, true)),
    );
    // 'finish' (not end's callback, which also runs on error) means every byte reached the kernel.
    socket.once('finish', () => {
      written = true;
      settle(null);
    });
    socket.once('connect', () => socket.end(frame));
    socket.once('close', () =>
      settle(
        written
          ? null
          : new DeliveryError(`syslog over TCP to ${host}:${port}: closed before the message was written`, true),
      ),
    );
  });
}

async function resolve(host: string): Promise<{ address: string; family: number }> {
  const family = net.isIP(host);
  if (family !== 0) return { address: host, family };
  try {
    return await lookup(host);
  } catch (error) {
    throw new DeliveryError(`syslog: cannot resolve ${host}: ${(error as Error).message}`, true);
  }
}
