import { describe, expect, it } from 'vitest';
import { emailConfig } from '../../../server/contract/destinations.ts';
import {
  emailMessage,
  messageIdFor,
  smtpError,
  transportOptions,
} from '../../../server/modules/destinations/senders/email.ts';
import { sampleNotification } from '../../helpers/notification.ts';

const config = (overrides: Record<string, unknown> = {}) =>
  emailConfig.parse({
    host: 'smtp.example.net',
    from: 'switchyard@example.net',
    to: ['noc@example.net'],
    ...overrides,
  });

describe('Message-ID', () => {
  it('is the same for the same idempotency key, different for another', () => {
    const n = sampleNotification();
    expect(messageIdFor(n)).toBe(messageIdFor(sampleNotification()));
    expect(messageIdFor(n)).not.toBe(messageIdFor(sampleNotification({ idempotencyKey: 'alert-42:cleared:1' })));
  });

  it('is a valid msg-id whatever the key and host name hold', () => {
    const id = messageIdFor({ idempotencyKey: 'a key <with> "odd" chars', source: 'My Host_01.' });
    expect(id).toMatch(/^<[0-9a-f]{32}\.alert@my-host-01>$/);
  });
});

describe('message', () => {
  it('carries the idempotency key, the transition time and no auto-replies', () => {
    const message = emailMessage(config(), sampleNotification());
    expect(message).toMatchObject({
      from: 'switchyard@example.net',
      to: ['noc@example.net'],
      subject: '[Switchyard] CRITICAL pair-outage orders: Pair orders has no active node',
      date: new Date('2025-03-01T10:15:30.250Z'),
      headers: {
        'X-Switchyard-Idempotency-Key': 'alert-42:raised:1',
        'X-Switchyard-Alert-Id': '42',
        'Auto-Submitted': 'auto-generated',
      },
    });
  });
});

describe('SMTP settings', () => {
  it.each([
    [{ startTls: 'required' }, { secure: false, requireTLS: true, ignoreTLS: false }],
    [{ startTls: 'optional' }, { secure: false, requireTLS: false, ignoreTLS: false }],
    [{ startTls: 'never' }, { secure: false, requireTLS: false, ignoreTLS: true }],
    // implicit TLS: STARTTLS does not apply
    [
      { secure: true, port: 465, startTls: 'never' },
      { secure: true, requireTLS: false, ignoreTLS: false },
    ],
  ])('%j → %j', (overrides, expected) => {
    expect(transportOptions(config(overrides), 5000)).toMatchObject(expected);
  });

  it('authenticates only with a user, and then always', () => {
    expect(transportOptions(config(), 5000).auth).toBeUndefined();
    expect(transportOptions(config({ user: 'u', password: 'p' }), 5000)).toMatchObject({
      auth: { user: 'u', pass: 'p' },
      forceAuth: true,
    });
  });

  it('trusts the configured CA and bounds every wait by the attempt timeout', () => {
    const options = transportOptions(config({ ca: '-----BEGIN CERTIFICATE-----' }), 1234);
    expect(options.tls).toMatchObject({ ca: ['-----BEGIN CERTIFICATE-----'] });
    expect(options).toMatchObject({ connectionTimeout: 1234, greetingTimeout: 1234, socketTimeout: 1234 });
  });
});

describe('SMTP errors', () => {
  const reply = (responseCode: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('x'), {
      responseCode,
      response: `${responseCode} some text`,
      command: 'RCPT TO',
      ...extra,
    });

  it.each([
    [reply(451), true],
    [reply(421), true],
    [reply(503), true],
    [reply(550), false],
    [reply(554), false],
    [reply(535, { command: 'AUTH PLAIN c2VjcmV0' }), false],
    [Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }), true],
    [Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }), true],
    [Object.assign(new Error('Missing credentials'), { code: 'ENOAUTH' }), false],
  ])('%s → retryable %s', (error, retryable) => {
    expect(smtpError(error).retryable).toBe(retryable);
  });

  it('names the reply and the command verb, never the command line', () => {
    const error = smtpError(reply(535, { command: 'AUTH PLAIN c2VjcmV0', response: '535 5.7.8 bad credentials' }));
    expect(error.message).toBe('SMTP 535 after AUTH: 535 5.7.8 bad credentials');
  });
});
