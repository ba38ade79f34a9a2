import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailConfig } from '../../../server/contract/destinations.ts';
import { emailSender, messageIdFor } from '../../../server/modules/destinations/senders/email.ts';
import { parseMail } from '../../helpers/mail-message.ts';
import { deliveryFailure as failure, sampleNotification, sendContext } from '../../helpers/notification.ts';
import { makeSelfSignedCert } from '../../helpers/self-signed-cert.ts';
import { type SmtpReceiver, type SmtpReceiverOptions, startSmtpReceiver } from '../../helpers/smtp-receiver.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

const notification = sampleNotification({ nodeName: 'db-1' });

let tls: { key: string; cert: string };
let cleanupDir: () => void;
beforeAll(() => {
  const dir = makeTempDir('switchyard-smtp-');
  cleanupDir = dir.cleanup;
  tls = makeSelfSignedCert(dir.path);
});
afterAll(() => cleanupDir());

let receiver: SmtpReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

async function start(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  receiver = await startSmtpReceiver(options);
  return receiver;
}

const config = (port: number, overrides: Record<string, unknown> = {}) =>
  emailConfig.parse({
    host: '127.0.0.1',
    port,
    from: 'switchyard@example.net',
    to: ['noc@example.net', 'oncall@example.net'],
    ...overrides,
  });

describe('e-mail sender against a real SMTP server', () => {
  it('delivers the mail with subject, recipients, body and headers', async () => {
    const smtp = await start();
    await emailSender.send(config(smtp.port, { startTls: 'optional' }), notification, sendContext(5000));

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('switchyard@example.net');
    expect(mail?.to).toEqual(['noc@example.net', 'oncall@example.net']);
    expect(mail?.secure).toBe(false); // not offered, and "optional" does not insist
    const message = parseMail(mail?.raw ?? '');
    expect(message.headers.get('subject')).toBe(
      '[Switchyard] CRITICAL pair-outage orders/db-1: Pair orders has no active node',
    );
    expect(message.headers.get('to')).toBe('noc@example.net, oncall@example.net');
    expect(message.headers.get('message-id')).toBe(messageIdFor(notification));
    expect(message.headers.get('x-switchyard-idempotency-key')).toBe('alert-42:raised:1');
    expect(message.headers.get('auto-submitted')).toBe('auto-generated');
    expect(new Date(message.headers.get('date') ?? '').toISOString()).toBe('2025-03-01T10:15:30.000Z');
    expect(message.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(message.text).toContain('  Pair orders has no active node\n');
    expect(message.text).toContain('Where:  pair orders, node db-1\n');
    expect(message.text).toContain('switchyard ack 42 --comment');
  });

  it('sends a re-sent notification with the same Message-ID', async () => {
    const smtp = await start();
    for (let i = 0; i < 2; i++) await emailSender.send(config(smtp.port), notification, sendContext(5000));
    const ids = smtp.mails.map((m) => parseMail(m.raw).headers.get('message-id'));
    expect(ids).toEqual([messageIdFor(notification), messageIdFor(notification)]);
  });

  it('upgrades with STARTTLS (required) to a server with a self-signed certificate given as ca', async () => {
    const smtp = await start({ tls });
    await emailSender.send(config(smtp.port, { startTls: 'required', ca: tls.cert }), notification, sendContext(5000));
    expect(smtp.mails.map((m) => m.secure)).toEqual([true]);
  });

  it('upgrades when STARTTLS is optional and offered', async () => {
    const smtp = await start({ tls });
    await emailSender.send(config(smtp.port, { startTls: 'optional', ca: tls.cert }), notification, sendContext(5000));
    expect(smtp.mails.map((m) => m.secure)).toEqual([true]);
  });

  it('speaks TLS from the first byte when secure', async () => {
    const smtp = await start({ tls, secure: true });
    await emailSender.send(config(smtp.port, { secure: true, ca: tls.cert }), notification, sendContext(5000));
    expect(smtp.mails.map((m) => m.secure)).toEqual([true]);
  });

  it('sends nothing when STARTTLS is required and the server does not offer it', async () => {
    const smtp = await start();
    const error = await failure(
      emailSender.send(config(smtp.port, { startTls: 'required' }), notification, sendContext(5000)),
    );
    expect(error.message).toMatch(/STARTTLS/i);
    expect(smtp.mails).toHaveLength(0);
  });

  it('sends nothing when the certificate is not trusted (no ca)', async () => {
    const smtp = await start({ tls });
    const error = await failure(
      emailSender.send(config(smtp.port, { startTls: 'required' }), notification, sendContext(5000)),
    );
    expect(error.message).toMatch(/certificate/i);
    expect(smtp.mails).toHaveLength(0);
  });

  it('authenticates with the user and password the server checks', async () => {
    const smtp = await start({ tls, credentials: { user: 'switchyard', password: 's3cret!' } });
    const auth = { startTls: 'required', ca: tls.cert, user: 'switchyard', password: 's3cret!' };
    await emailSender.send(config(smtp.port, auth), notification, sendContext(5000));
    expect(smtp.mails.map((m) => [m.user, m.secure])).toEqual([['switchyard', true]]);
  });

  it('reports a wrong password as final (535)', async () => {
    const smtp = await start({ tls, credentials: { user: 'switchyard', password: 's3cret!' } });
    const auth = { startTls: 'required', ca: tls.cert, user: 'switchyard', password: 'wrong' };
    const error = await failure(emailSender.send(config(smtp.port, auth), notification, sendContext(5000)));
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toMatch(/^SMTP 535 after AUTH/);
    expect(error.message).not.toContain('wrong');
    expect(smtp.mails).toHaveLength(0);
  });

  it('reports 451 (try again later) as retryable', async () => {
    const smtp = await start({ rejectData: { code: 451, message: 'Greylisted, try again later' } });
    const error = await failure(emailSender.send(config(smtp.port), notification, sendContext(5000)));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('451');
    expect(error.message).toContain('Greylisted');
  });

  it('reports 550 (refused) as final', async () => {
    const smtp = await start({ rejectData: { code: 550, message: 'Message refused' } });
    const error = await failure(emailSender.send(config(smtp.port), notification, sendContext(5000)));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('550');
  });

  it('does not retry a message only some recipients accepted (it would reach the others twice)', async () => {
    const smtp = await start({
      rejectRecipient: { address: 'oncall@example.net', code: 550, message: 'No such user' },
    });
    const error = await failure(emailSender.send(config(smtp.port), notification, sendContext(5000)));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('accepted for noc@example.net, rejected for oncall@example.net');
    expect(smtp.mails.map((m) => m.to)).toEqual([['noc@example.net']]);
  });

  it('ends by timeoutMs against a server that accepts and never greets, and closes the connection', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const timersBefore = timers();
      const timeoutMs = 300;
      const started = Date.now();
      const error = await failure(emailSender.send(config(port), notification, sendContext(timeoutMs)));
      expect(Date.now() - started).toBeLessThan(5 * timeoutMs);
      expect(error.retryable).toBe(true);
      await waitFor('the silent server to see the connection closed', () => sockets.size === 0);
      await waitFor('nodemailer to hold no timer', () => timers() <= timersBefore);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
