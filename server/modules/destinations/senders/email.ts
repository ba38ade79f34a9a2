import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError, type SendMailOptions, type SMTPTransportOptions } from 'nodemailer';
import type { z } from 'zod';
import type { emailConfig } from '../../../contract/destinations.ts';
import { DeliveryError, type Notification, type Sender } from '../notification.ts';
import { emailBody, emailSubject } from './alert-text.ts';
import { withDeadline } from './deadline.ts';

export type EmailConfig = z.infer<typeof emailConfig>;

export const IDEMPOTENCY_HEADER = 'X-Switchyard-Idempotency-Key';

/**
 * Message-ID from the idempotency key: a re-sent notification carries the
 * same ID, so mail systems and people can tell it is the same message. The
 * key itself may hold characters a msg-id cannot, hence the hash.
 */
export function messageIdFor(n: Pick<Notification, 'idempotencyKey' | 'source'>): string {
  const id = createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 32);
  const domain =
    n.source
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '') || 'switchyard';
  return `<${id}.alert@${domain}>`;
}

/** The message, pure. Dated at the transition, so every attempt sends the same message. */
export function emailMessage(config: Pick<EmailConfig, 'from' | 'to'>, n: Notification): SendMailOptions {
  return {
    from: config.from,
    to: config.to,
    subject: emailSubject(n),
    text: emailBody(n),
    date: new Date(n.at),
    messageId: messageIdFor(n),
    headers: {
      [IDEMPOTENCY_HEADER]: n.idempotencyKey,
      'X-Switchyard-Alert-Id': String(n.alert.id),
      'X-Switchyard-Transition': n.transition,
      // RFC 3834: tells vacation responders not to answer an alert.
      'Auto-Submitted': 'auto-generated',
    },
  };
}

/** SMTP settings, pure. */
export function transportOptions(config: EmailConfig, timeoutMs: number): SMTPTransportOptions {
  const implicitTls = config.secure;
  return {
    host: config.host,
    port: config.port,
    secure: implicitTls,
    // required: refuse to send unless STARTTLS succeeds; never: do not try it;
    // optional: upgrade whenever the server offers it, and fail (rather than
    // fall back to plain text) when the offered upgrade fails.
    requireTLS: !implicitTls && config.startTls === 'required',
    ignoreTLS: !implicitTls && config.startTls === 'never',
    tls: { minVersion: 'TLSv1.2', ...(config.ca ? { ca: [config.ca] } : {}) },
    ...(config.user
      ? {
          auth: { user: config.user, pass: config.password ?? '' },
          // Configured credentials are always used: silently skipping AUTH hides a misconfiguration.
          forceAuth: true,
        }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // The content is ours; nothing may point nodemailer at a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

/**
 * One SMTP session per attempt (alerts are rare; a pool would keep idle
 * connections to every relay). SMTP 4xx and connection failures are
 * retryable, 5xx are not; a message only some recipients accepted is not
 * retried either, as that would send it twice to the others.
 */
export const emailSender: Sender<EmailConfig> = {
  send: (config, notification, context) =>
    withDeadline(context, async (signal) => {
      const transport = nodemailer.createTransport(transportOptions(config, context.timeoutMs));
      try {
        const info = await transport.sendMail({ ...emailMessage(config, notification), signal });
        if (info.rejected.length > 0) {
          const reasons = (info.rejectedErrors ?? []).map((e) => e.response ?? e.message).join('; ');
          throw new DeliveryError(
            `accepted for ${info.accepted.join(', ') || 'nobody'}, rejected for ${info.rejected.join(', ')}${reasons ? `: ${reasons}` : ''}`,
            false,
          );
        }
      } catch (error) {
        throw error instanceof DeliveryError ? error : smtpError(error);
      } finally {
        transport.close();
      }
    }),
};

/** Nodemailer errors: a reply code decides; without one, only missing settings are final. */
export function smtpError(error: unknown): DeliveryError {
  const e = error as NodemailerError;
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    // The verb only: an AUTH command line carries the credentials.
    const after = e.command ? ` after ${e.command.split(' ')[0]}` : '';
    return new DeliveryError(`SMTP ${e.responseCode}${after}: ${oneLineResponse(e.response ?? e.message)}`, !permanent);
  }
  const permanent = e.code === 'ENOAUTH' || e.code === 'ECONFIG';
  return new DeliveryError(`SMTP ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`, !permanent);
}

function oneLineResponse(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
