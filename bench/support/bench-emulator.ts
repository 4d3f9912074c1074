import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  startEmulator,
  type ChaosSettings,
  type EmulatorOptions,
  type EmulatorStats,
  type RateLimitSettings,
  type Truth,
} from '../../src/emulator/index.js';
import { processCpuMs } from './proc-cpu.js';

/**
 * The emulator as a benchmark sees it: the same controls wherever it runs, all asynchronous
 * because a child-process emulator answers over its control routes.
 */
export interface BenchEmulator {
  /** A client's `baseURL`, e.g. `http://127.0.0.1:43121/v1`. */
  readonly url: string;
  readonly apiKey: string;
  /** Where the server runs; printed with the figures, since it changes them. */
  readonly where: 'child process' | 'in process';
  stats(): Promise<EmulatorStats>;
  resetStats(): Promise<void>;
  truth(): Promise<Truth>;
  setChaos(chaos: ChaosSettings): Promise<void>;
  /** Also refills the bucket, so each contender starts from the same full budget. */
  setRateLimit(rateLimit: RateLimitSettings | false): Promise<void>;
  setLatency(ms: number): Promise<void>;
  /**
   * CPU ms the emulator's process has used so far: compare two readings to tell whether the
   * server, not the client, limited a run. `NaN` in process, where it cannot be told apart.
   */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('../workers/emulator.ts', import.meta.url));

/**
 * Starts an emulator in a child process (`node --import tsx`), the default for every scenario:
 * the server gets its own core instead of competing with the client under test, and its dataset
 * stays out of the client's memory figures.
 *
 * @example
 * ```ts
 * const emulator = await startChildEmulator({ latencyMs: 20 });
 * try { ... } finally { await emulator.close(); }
 * ```
 */
export async function startChildEmulator(options: EmulatorOptions): Promise<BenchEmulator> {
  const child = fork(WORKER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send(options);
  const [reply] = (await once(child, 'message')) as [
    { url?: string; apiKey?: string; error?: string },
  ];
  if (reply.error !== undefined || reply.url === undefined || reply.apiKey === undefined) {
    child.kill();
    throw new Error(`The emulator child failed to start: ${reply.error ?? 'no URL'}`);
  }
  const origin = new URL(reply.url).origin;
  const control = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${origin}/__emulator/${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`Emulator control ${route}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || !child.connected) return;
    const exited = once(child, 'exit');
    child.disconnect();
    await exited;
  };
  return {
    url: reply.url,
    apiKey: reply.apiKey,
    where: 'child process',
    stats: () => control<EmulatorStats>('GET', 'stats'),
    resetStats: async () => void (await control('POST', 'reset-stats')),
    truth: () => control<Truth>('GET', 'truth'),
    setChaos: async (chaos) => void (await control('POST', 'chaos', chaos)),
    setRateLimit: async (rateLimit) => void (await control('POST', 'rate-limit', rateLimit)),
    setLatency: async (ms) => void (await control('POST', 'latency', { ms })),
    cpuMs: () => processCpuMs(child.pid ?? -1),
    close,
  };
}

/**
 * Starts an emulator in this process: only to show how much an in-process server distorts a
 * CPU-bound measurement (scenario 1 reports both).
 */
export async function startInProcessEmulator(options: EmulatorOptions): Promise<BenchEmulator> {
  const emulator = await startEmulator(options);
  return {
    url: emulator.url,
    apiKey: emulator.apiKey,
    where: 'in process',
    stats: async () => emulator.stats(),
    resetStats: async () => emulator.resetStats(),
    truth: async () => emulator.truth(),
    setChaos: async (chaos) => emulator.setChaos(chaos),
    setRateLimit: async (rateLimit) => emulator.setRateLimit(rateLimit),
    setLatency: async (ms) => emulator.setLatency(ms),
    cpuMs: async () => NaN,
    close: () => emulator.close(),
  };
}
