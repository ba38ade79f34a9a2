import type { Notification, Transition } from '../notification.ts';

/**
 * The human wording of a notification, shared by the e-mail subject and body
 * and the syslog message, so an operator reads the same line everywhere.
 */

export const SUBJECT_MAX_CHARS = 150;

const TRANSITION_SUFFIX: Record<Transition, string> = {
  raised: '',
  repeated: ' repeated',
  cleared: ' cleared',
  acknowledged: ' acknowledged',
  test: ' (test)',
};

/** One line: `CRITICAL pair-outage orders: <message>` (plus the transition when it is not a raise). */
export function headline(n: Notification): string {
  const { alert } = n;
  return `${alert.severity.toUpperCase()} ${alert.kind} ${where(n)}${TRANSITION_SUFFIX[n.transition]}: ${oneLine(alert.message)}`;
}

/** `[Switchyard] CRITICAL pair-outage orders: …`, at most 150 characters. */
export function emailSubject(n: Notification): string {
  return truncateChars(`[Switchyard] ${headline(n)}`, SUBJECT_MAX_CHARS);
}

/** Plain text: what, where, when, the message, how to acknowledge. */
export function emailBody(n: Notification): string {
  const { alert } = n;
  const place = [n.pairName && `pair ${n.pairName}`, n.nodeName && `node ${n.nodeName}`].filter(Boolean).join(', ');
  const repeats = alert.count > 0 ? `, raised again ${alert.count} time${alert.count === 1 ? '' : 's'}` : '';
  const lines = [
    n.transition === 'test'
      ? 'This is a test notification sent from a Switchyard destination; nothing needs to be done.'
      : `${alert.severity.toUpperCase()} alert ${alert.kind} ${transitionWord(n.transition)} on ${where(n)}.`,
    '',
    `  ${alert.message}`,
    '',
    `What:   ${alert.kind} (${alert.severity}), alert #${alert.id}`,
    `Where:  ${place || 'the whole fleet'}`,
    `When:   ${n.at} (first raised ${alert.raisedAt}${repeats})`,
    `State:  ${alert.state}${alert.clearedAt ? `, cleared ${alert.clearedAt}` : ''}`,
  ];
  if (alert.ack) {
    lines.push(`Acknowledged by ${alert.ack.by} at ${alert.ack.at}: ${alert.ack.comment}`);
  } else if (n.transition !== 'test' && alert.state === 'open') {
    lines.push(
      '',
      alert.ackOnly ? 'This alert closes only when someone acknowledges it. To acknowledge it,' : 'To acknowledge it,',
      `open Alerts in the Switchyard web UI, or run:`,
      `  switchyard ack ${alert.id} --comment "what you saw or did"`,
    );
  }
  lines.push(
    '',
    '-- ',
    `Sent by Switchyard on ${n.source}.`,
    `Idempotency key: ${n.idempotencyKey} (a re-sent notification carries the same key and Message-ID).`,
  );
  return `${lines.join('\n')}\n`;
}

function where(n: Notification): string {
  if (n.pairName && n.nodeName) return `${n.pairName}/${n.nodeName}`;
  return n.pairName ?? n.nodeName ?? 'fleet';
}

function transitionWord(t: Transition): string {
  return t === 'repeated' ? 'raised again' : t;
}

/** Control characters (newlines included) become spaces: a subject or a syslog line is one line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Cuts on code points (never half a surrogate pair) and marks the cut with an ellipsis. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
