import type { ErrorBody } from '../contract/errors.ts';

/**
 * What can go wrong in a CLI run, and the exit code each one earns:
 * 1 the server refused or failed, 2 usage (handled by args.ts), 3 unreachable.
 */

/** The server answered with the one error body (4xx/5xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/** No answer at all: connection refused, unknown host, timeout. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `cannot reach the Switchyard server at ${url} (${reason}); is it running? Point --server or SWITCHYARD_URL at it`,
    );
  }
}

/** An answer that is not what the API contract promises (not JSON, wrong shape): not Switchyard, or another version. */
export class BadResponseError extends Error {}

/** A refusal decided on this side, e.g. a pair name that matches nothing. */
export class CliFailure extends Error {}

export interface Failure {
  exitCode: 1 | 3;
  /** one line for stderr */
  message: string;
  /** with --json: the server's error body, so scripts can read its `code` */
  stdout?: string;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Pure: an error thrown by a command → exit code and what to print. Anything unforeseen is a bug: rethrown. */
export function failureOf(error: unknown, json: boolean): Failure {
  if (error instanceof UnreachableError) return { exitCode: 3, message: oneLine(error.message) };
  if (error instanceof ApiError) {
    return {
      exitCode: 1,
      message: oneLine(error.body.message),
      ...(json ? { stdout: `${JSON.stringify(error.body, null, 2)}\n` } : {}),
    };
  }
  if (error instanceof BadResponseError || error instanceof CliFailure) {
    return { exitCode: 1, message: oneLine(error.message) };
  }
  throw error;
}
