import type { z } from 'zod';

/** The one API client: same-origin cookie session, the CSRF header on writes, the server's message on errors. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  schema?: z.ZodType<T>,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'UNREACHABLE', 'the server cannot be reached');
  }
  if (response.status === 204) return null as T;
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; details?: { field: string; message: string }[] };
    throw new ApiError(response.status, e.code ?? 'ERROR', e.message ?? `HTTP ${response.status}`, e.details);
  }
  return schema ? schema.parse(data) : (data as T);
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
