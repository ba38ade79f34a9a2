/** Resolves with the status the URL answered; rejects when it did not answer in time. */
export async function probeHttp(url: string, timeoutMs: number): Promise<number> {
  try {
    // No redirects: a 302 to a login page is not the health endpoint answering.
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new Error(`no answer within ${timeoutMs} ms`);
    }
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    throw new Error(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
  }
}
