import { DeliveryError, type SendContext } from '../notification.ts';

/**
 * Runs one delivery attempt under its own deadline: `run` gets a signal that
 * fires when the caller aborts or `timeoutMs` has passed, whichever is first.
 * The timer is ours so an attempt ends on time even if the caller's signal
 * never fires, and it is cleared when the attempt ends so nothing lingers.
 * An aborted attempt rejects with a retryable DeliveryError.
 */
export async function withDeadline<T>(context: SendContext, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DeliveryError(`timed out after ${context.timeoutMs} ms`, true)),
    context.timeoutMs,
  );
  const onCallerAbort = () =>
    controller.abort(new DeliveryError(`aborted: ${reasonText(context.signal.reason)}`, true));
  if (context.signal.aborted) onCallerAbort();
  else context.signal.addEventListener('abort', onCallerAbort, { once: true });

  // Each sender stops its own I/O on the signal; the race is the guarantee
  // that the attempt still ends on time should a library ignore it.
  let stop = () => {};
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(controller.signal.reason);
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
    stop = () => controller.signal.removeEventListener('abort', onAbort);
  });
  aborted.catch(() => {});
  try {
    if (controller.signal.aborted) throw controller.signal.reason;
    return await Promise.race([run(controller.signal), aborted]);
  } catch (error) {
    // Whatever the I/O layer made of the abort, report why the attempt ended.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    stop();
    context.signal.removeEventListener('abort', onCallerAbort);
  }
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'the attempt was cancelled' : String(reason);
}
