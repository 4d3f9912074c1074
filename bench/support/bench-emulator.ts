import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type {
  ChaosSettings,
  EmulatorOptions,
  EmulatorStats,
  RateLimitSettings,
  Truth,
} from '../../src/emulator/index.js';
import type { Target } from '../peers/target.js';
import type { CannedServerRequest } from '../workers/canned-server.js';
import { forkTypeScript } from './fork-worker.js';
import { processCpuMs } from './proc-cpu.js';

/**
 * The emulator as a benchmark sees it: the same controls wherever it runs, all asynchronous
 * because a child-process emulator answers over its control routes.
 */
export interface BenchEmulator {
  /** A client's `baseURL`, e.g. `http://127.0.0.1:43121/v1`. */
  readonly url: string;
  readonly apiKey: string;
  stats(): Promise<EmulatorStats>;
  resetStats(): Promise<void>;
  truth(): Promise<Truth>;
  setChaos(chaos: ChaosSettings): Promise<void>;
  /** Also refills the bucket, so each contender starts from the same full budget. */
  setRateLimit(rateLimit: RateLimitSettings | false): Promise<void>;
  setLatency(ms: number): Promise<void>;
  /**
   * CPU ms the emulator's process has used so far: compare two readings to tell whether the
   * server, not the client, limited a run.
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
  const { reply, child, close } = await forkServer(WORKER, options, 'The emulator child');
  const origin = new URL(reply.url).origin;
  const control = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${origin}/__emulator/${route}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`Emulator control ${route}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url: reply.url,
    apiKey: reply.apiKey,
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

const CANNED = fileURLToPath(new URL('../workers/canned-server.ts', import.meta.url));

/** A running canned server (see `workers/canned-server.ts`): its target and its CPU time. */
export interface CannedServer extends Target {
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts the rig's floor in a child process: a bare HTTP server answering with bodies read from
 * an emulator beforehand, after `latencyMs`. What a benchmark measures against it is the machine,
 * not any server or client logic.
 *
 * @example
 * ```ts
 * const canned = await startCannedServer({ emulator: { dataset }, checkpoints, limit: 100, latencyMs: 20 });
 * ```
 */
export async function startCannedServer(setup: CannedServerRequest): Promise<CannedServer> {
  const { reply, child, close } = await forkServer(CANNED, setup, 'The canned server');
  return {
    url: reply.url,
    apiKey: reply.apiKey,
    cpuMs: () => processCpuMs(child.pid ?? -1),
    close,
  };
}

/**
 * Forks a server worker, sends it `input`, and waits for the `{ url, apiKey }` it answers once
 * it listens. `close` disconnects it, which makes it close its server and exit.
 */
async function forkServer(
  path: string,
  input: object,
  what: string,
): Promise<{ reply: Target; child: ChildProcess; close: () => Promise<void> }> {
  const child = forkTypeScript(path);
  child.send(input);
  const [reply] = (await once(child, 'message')) as [
    { url?: string; apiKey?: string; error?: string },
  ];
  if (reply.error !== undefined || reply.url === undefined || reply.apiKey === undefined) {
    child.kill();
    throw new Error(`${what} failed to start: ${reply.error ?? 'no URL'}`);
  }
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || !child.connected) return;
    const exited = once(child, 'exit');
    child.disconnect();
    await exited;
  };
  return { reply: { url: reply.url, apiKey: reply.apiKey }, child, close };
}
