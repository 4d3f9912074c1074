import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** What {@link timed} measured. */
export interface Timed<T> {
  readonly value: T;
  /** Wall time, ms, on the monotonic clock. */
  readonly ms: number;
  /**
   * CPU time this process spent meanwhile (user + system), ms. Close to `ms` means the client
   * itself was the bottleneck; far below it means it was waiting on the network or the server.
   */
  readonly cpuMs: number;
}

/** Runs `work` and returns its result with the wall and CPU time it took. */
export async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (user + system) / 1000 };
}
