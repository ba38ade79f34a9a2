import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../server/modules/destinations/senders/signature.ts';

const secret = 'a-signing-secret-of-some-length';
const body = '{"schema":"switchyard.alert.v1","idempotencyKey":"k-1"}';
const t = 1_740_823_000;

describe('signWebhook', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, checked against an independent computation', () => {
    const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, t, body)).toBe(`t=${t},v1=${hex}`);
  });

  it('signs bytes and the same text alike', () => {
    expect(signWebhook(secret, t, Buffer.from(body))).toBe(signWebhook(secret, t, body));
  });
});

describe('verifyWebhook', () => {
  const header = signWebhook(secret, t, body);
  const other = signWebhook('the-previous-secret-value', t, body);
  const v1 = (h: string) => h.split('v1=')[1] ?? '';

  it.each([
    ['its own signature', header, body, t, { ok: true, timestamp: t }],
    ['a clock 299 s behind', header, body, t + 299, { ok: true, timestamp: t }],
    ['a clock 299 s ahead', header, body, t - 299, { ok: true, timestamp: t }],
    ['one of several v1 (rotation)', `t=${t},v1=${v1(other)},v1=${v1(header)}`, body, t, { ok: true, timestamp: t }],
    ['spaces and unknown schemes', ` t=${t} , v0=zz , v1=${v1(header)} `, body, t, { ok: true, timestamp: t }],
    ['a replay 301 s later', header, body, t + 301, { ok: false, reason: 'outside-tolerance' }],
    ['a changed body', header, `${body} `, t, { ok: false, reason: 'mismatch' }],
    ['another secret', other, body, t, { ok: false, reason: 'mismatch' }],
    ['a moved timestamp', header.replace(`t=${t}`, `t=${t + 1}`), body, t, { ok: false, reason: 'mismatch' }],
    ['no header', undefined, body, t, { ok: false, reason: 'malformed' }],
    ['no v1', `t=${t}`, body, t, { ok: false, reason: 'malformed' }],
    ['no t', `v1=${v1(header)}`, body, t, { ok: false, reason: 'malformed' }],
    ['two t', `t=${t},t=${t},v1=${v1(header)}`, body, t, { ok: false, reason: 'malformed' }],
    ['a short v1', `t=${t},v1=abcd`, body, t, { ok: false, reason: 'malformed' }],
    ['a non-numeric t', `t=soon,v1=${v1(header)}`, body, t, { ok: false, reason: 'malformed' }],
    ['garbage', 'nonsense', body, t, { ok: false, reason: 'malformed' }],
  ] as const)('%s', (_, h, b, now, expected) => {
    expect(verifyWebhook(secret, h, b, now)).toEqual(expected);
  });

  it('judges the time only after the signature matched, so a forger learns nothing', () => {
    const forged = `t=${t},v1=${'0'.repeat(64)}`;
    expect(verifyWebhook(secret, forged, body, t + 10_000)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('takes the tolerance it is given', () => {
    expect(verifyWebhook(secret, header, body, t + 10, 5)).toEqual({ ok: false, reason: 'outside-tolerance' });
  });
});
