import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  raw: Buffer;
  /** the session was TLS (implicit, or upgraded by STARTTLS) when the message came */
  secure: boolean;
  /** the user the server authenticated, if any */
  user: string | null;
}

export interface SmtpReceiverOptions {
  /** key and certificate: STARTTLS is offered (or, with `secure`, TLS from the first byte) */
  tls?: { key: string; cert: string };
  secure?: boolean;
  /** AUTH is required and only these credentials pass */
  credentials?: { user: string; password: string };
  /** reply to RCPT TO for this address with an error */
  rejectRecipient?: { address: string; code: number; message: string };
  /** reply to the end of DATA with an error */
  rejectData?: { code: number; message: string };
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  close: () => Promise<void>;
}

/** A real SMTP server (the npm package `smtp-server`) on 127.0.0.1 that keeps what it receives. */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const fail = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
  const config: SMTPServerOptions = {
    logger: false,
    secure: options.secure ?? false,
    ...(options.tls ?? {}),
    // Without a certificate of ours, smtp-server would offer STARTTLS with its own built-in one.
    disabledCommands: options.tls ? [] : ['STARTTLS'],
    authOptional: !options.credentials,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.credentials?.user && auth.password === options.credentials?.password;
      if (ok) callback(null, { user: auth.username });
      else callback(fail(535, 'Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const reject = options.rejectRecipient;
      if (reject && address.address === reject.address) callback(fail(reject.code, reject.message));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.rejectData) return callback(fail(options.rejectData.code, options.rejectData.message));
        const mailFrom = session.envelope.mailFrom;
        mails.push({
          from: mailFrom ? mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
