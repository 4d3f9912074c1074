import { once } from 'node:events';
import { forkTypeScript } from './fork-worker.js';

/** A long-lived worker process that runs one measurement per `run()`. */
export interface WorkerProcess<R, I = undefined> {
  /** One measurement; `input` (a concurrency, say) reaches the worker as `{ run: input }`. */
  run(input?: I): Promise<R>;
  close(): Promise<void>;
}

/**
 * Starts a TypeScript worker (`node --import tsx`) that stays up between measurements: it gets
 * `setup` once, answers `{ ready: true }`, then answers every `{ run: input }` message with one
 * result (or `{ error }`). For contenders that must be timed in rotation, each in a process of
 * its own.
 *
 * @example
 * ```ts
 * const worker = await startWorkerProcess<SequentialSetup, RunResult>(WORKER, setup);
 * const { ms } = await worker.run();
 * await worker.close();
 * ```
 */
export async function startWorkerProcess<S, R, I = undefined>(
  path: string,
  setup: S,
): Promise<WorkerProcess<R, I>> {
  const child = forkTypeScript(path);
  const exited = once(child, 'exit');
  const reply = async (): Promise<unknown> => {
    const [message] = (await Promise.race([
      once(child, 'message'),
      exited.then(([code]) => {
        throw new Error(`worker ${path} exited with code ${String(code)}`);
      }),
    ])) as [unknown];
    const error = (message as { error?: string } | null)?.error;
    if (error !== undefined) throw new Error(`worker ${path} failed: ${error}`);
    return message;
  };
  child.send(setup as object);
  await reply();
  return {
    run: async (input?: I) => {
      child.send({ run: input ?? null });
      return (await reply()) as R;
    },
    close: async () => {
      if (child.exitCode !== null || !child.connected) return;
      child.disconnect();
      await exited;
    },
  };
}
