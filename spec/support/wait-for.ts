/** How long {@link waitFor} waits by default: long enough for a loaded CI machine, short of the spec timeout. */
export const WAIT_FOR_TIMEOUT_MS = 20_000;

/**
 * Polls `check` until it holds, for state that real I/O moves on (a server's counters, a child
 * process's output) and virtual time cannot reach. `check` (sync or async) holds when it returns
 * `true` or, for an assertion, returns without throwing; `false` or a throw means "not yet".
 *
 * The wait is bounded: past `timeoutMs` it fails naming `what` was awaited, with the last failed
 * assertion as the cause. Only a positive result ends it early, so a spec can never pass because
 * the wait ran out: assert what should *not* happen only once something the system reports has
 * happened (the server counted the request, the child printed its banner).
 *
 * @example
 * ```ts
 * await waitFor(() => emulator.stats().inFlight === 1, 'the request to reach the emulator');
 * await waitFor(() => expect(emulator.stats().aborted).toBe(1), 'the emulator to see the abort');
 * ```
 */
export async function waitFor(
  check: () => boolean | void | Promise<boolean | void>,
  what: string,
  timeoutMs = WAIT_FOR_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      if ((await check()) !== false) return;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: failure });
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
