import { describe, expect, it } from 'vitest';
import {
  emailBody,
  emailSubject,
  headline,
  SUBJECT_MAX_CHARS,
  truncateChars,
} from '../../../server/modules/destinations/senders/alert-text.ts';
import { sampleNotification } from '../../helpers/notification.ts';

describe('subject line', () => {
  it.each([
    [{}, '[Switchyard] CRITICAL pair-outage orders: Pair orders has no active node'],
    [{ transition: 'cleared' }, '[Switchyard] CRITICAL pair-outage orders cleared: Pair orders has no active node'],
    [{ transition: 'repeated' }, '[Switchyard] CRITICAL pair-outage orders repeated: Pair orders has no active node'],
    [
      { transition: 'acknowledged' },
      '[Switchyard] CRITICAL pair-outage orders acknowledged: Pair orders has no active node',
    ],
    [{ transition: 'test' }, '[Switchyard] CRITICAL pair-outage orders (test): Pair orders has no active node'],
    [{ nodeName: 'db-1' }, '[Switchyard] CRITICAL pair-outage orders/db-1: Pair orders has no active node'],
    [{ pairName: null, nodeName: 'db-1' }, '[Switchyard] CRITICAL pair-outage db-1: Pair orders has no active node'],
    [{ pairName: null }, '[Switchyard] CRITICAL pair-outage fleet: Pair orders has no active node'],
  ] as const)('%j → %s', (overrides, subject) => {
    expect(emailSubject(sampleNotification(overrides))).toBe(subject);
  });

  it('is one line however the message is written', () => {
    const n = sampleNotification({ alert: { message: 'first line\r\nsecond\tline\u0000' } });
    expect(emailSubject(n)).toBe('[Switchyard] CRITICAL pair-outage orders: first line second line');
    expect(headline(n)).toBe('CRITICAL pair-outage orders: first line second line');
  });

  it('is at most 150 characters, cut with an ellipsis and never inside a surrogate pair', () => {
    const n = sampleNotification({ alert: { message: '😀'.repeat(200) } });
    const subject = emailSubject(n);
    expect(Array.from(subject)).toHaveLength(SUBJECT_MAX_CHARS);
    expect(subject.endsWith('😀…')).toBe(true);
    expect(Buffer.from(subject).toString()).toBe(subject); // no lone surrogate (it would become U+FFFD)
  });

  it('truncateChars leaves short text alone', () => {
    expect(truncateChars('short', 10)).toBe('short');
    expect(truncateChars('0123456789', 10)).toBe('0123456789');
    expect(truncateChars('01234567890', 10)).toBe('012345678…');
  });
});

describe('plain-text body', () => {
  it('says what, where, when, the message and how to acknowledge', () => {
    const body = emailBody(sampleNotification({ nodeName: 'db-1', alert: { ackOnly: true, count: 2 } }));
    expect(body).toBe(
      [
        'CRITICAL alert pair-outage raised on orders/db-1.',
        '',
        '  Pair orders has no active node',
        '',
        'What:   pair-outage (critical), alert #42',
        'Where:  pair orders, node db-1',
        'When:   2025-03-01T10:15:30.250Z (first raised 2025-03-01T10:15:30.250Z, raised again 2 times)',
        'State:  open',
        '',
        'This alert closes only when someone acknowledges it. To acknowledge it,',
        'open Alerts in the Switchyard web UI, or run:',
        '  switchyard ack 42 --comment "what you saw or did"',
        '',
        '-- ',
        'Sent by Switchyard on switchyard-1.example.net.',
        'Idempotency key: alert-42:raised:1 (a re-sent notification carries the same key and Message-ID).',
        '',
      ].join('\n'),
    );
  });

  it('shows who acknowledged instead of how to', () => {
    const body = emailBody(
      sampleNotification({
        transition: 'acknowledged',
        alert: { state: 'open-acknowledged', ack: { by: 'alice', at: '2025-03-01T10:20:00.000Z', comment: 'on it' } },
      }),
    );
    expect(body).toContain('Acknowledged by alice at 2025-03-01T10:20:00.000Z: on it');
    expect(body).not.toContain('switchyard ack');
  });

  it('says a test is a test', () => {
    const body = emailBody(sampleNotification({ transition: 'test' }));
    expect(body.split('\n')[0]).toMatch(/^This is a test notification/);
    expect(body).not.toContain('switchyard ack');
  });
});
