import type { z } from 'zod';
import { errorBody } from '../contract/errors.ts';
import { ApiError, BadResponseError, UnreachableError } from './errors.ts';

/**
 * The CLI's one API client: JSON over fetch, every answer checked against the
 * contract's zod schema, the server's `message` carried by ApiError. It sends
 * `Authorization: Bearer <token>` when a token is configured (issue 6 adds
 * users and personal tokens; until then the server ignores it).
 */

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8080 (no trailing slash, no /api/v1) */
  baseUrl: string;
  token: string | null;
  userAgent?: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface ApiResponse<T> {
  /** the body as validated (and typed) by the schema */
  data: T;
  /** the body exactly as the server sent it, for --json */
  raw: unknown;
}

export type ApiClient = ReturnType<typeof apiClient>;

// Node's fetch hides the socket error in `cause`; these are the ones a person can act on.
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

function unreachableReason(error: unknown, timeoutMs: number): string | null {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  if (error instanceof TypeError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    return REASONS[code] ?? (code || cause?.message || error.message);
  }
  return null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');
}

export function apiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<ApiResponse<z.output<S>>> {
    const url = `${options.baseUrl}/api/v1${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.userAgent) headers['user-agent'] = options.userAgent;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // No content-type without a body: Fastify refuses an empty JSON body.
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const reason = unreachableReason(error, timeoutMs);
      if (reason === null) throw error;
      throw new UnreachableError(options.baseUrl, reason);
    }

    let raw: unknown = null;
    if (text !== '') {
      try {
        raw = JSON.parse(text);
      } catch {
        throw new BadResponseError(
          `${method} ${url} answered HTTP ${response.status} with something that is not JSON: is ${options.baseUrl} a Switchyard server?`,
        );
      }
    }
    if (!response.ok) {
      const parsed = errorBody.safeParse(raw);
      if (!parsed.success) {
        throw new BadResponseError(
          `${method} ${url} answered HTTP ${response.status} without a Switchyard error body: is ${options.baseUrl} a Switchyard server?`,
        );
      }
      throw new ApiError(response.status, parsed.data);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new BadResponseError(
        `${method} ${url} answered a body that does not match the API contract (${describeIssues(parsed.error)}): is the server the same Switchyard version as this CLI?`,
      );
    }
    return { data: parsed.data, raw };
  }

  return {
    baseUrl: options.baseUrl,
    get: <S extends z.ZodType>(path: string, schema: S) => request('GET', path, schema),
    post: <S extends z.ZodType>(path: string, schema: S, body?: unknown) => request('POST', path, schema, body),
    put: <S extends z.ZodType>(path: string, schema: S, body?: unknown) => request('PUT', path, schema, body),
    delete: <S extends z.ZodType>(path: string, schema: S) => request('DELETE', path, schema),
  };
}
