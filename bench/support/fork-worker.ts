import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Runs a TypeScript worker in a fresh Node process (`node --import tsx`, plus `nodeOptions`
 * such as `--expose-gc`): sends it `input` over IPC and resolves with the `result` it sends back, once it has exited. A fresh process per
 * measurement gives it a clean heap and its own RSS high-water mark.
 *
 * @example
 * ```ts
 * const result = await runWorker<MemoryCase, MemoryCaseResult>(WORKER, memoryCase);
 * ```
 */
export async function runWorker<I, O>(
  path: string,
  input: I,
  nodeOptions: readonly string[] = [],
): Promise<O> {
  const child = forkTypeScript(path, nodeOptions);
  const exited = once(child, 'exit');
  child.send(input as object);
  const [reply] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`worker ${path} exited with code ${String(code)} before answering`);
    }),
  ])) as [{ result?: O; error?: string }];
  // It exits once it has answered; a stuck one must not hang the benchmark.
  const deadline = setTimeout(() => child.kill(), 10_000);
  await exited;
  clearTimeout(deadline);
  if (reply.error !== undefined || reply.result === undefined) {
    throw new Error(`worker ${path} failed: ${reply.error ?? 'no result'}`);
  }
  return reply.result;
}

/**
 * Starts a TypeScript file in a child process (`node --import tsx`, plus `nodeOptions`), its
 * output shown with the parent's and an IPC channel open: how every benchmark worker starts.
 *
 * @example
 * ```ts
 * const child = forkTypeScript(WORKER, ['--expose-gc']);
 * ```
 */
export function forkTypeScript(path: string, nodeOptions: readonly string[] = []): ChildProcess {
  return fork(path, [], {
    execArgv: ['--import', 'tsx', ...nodeOptions],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
