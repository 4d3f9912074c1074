import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /**
   * The 1-minute load average when the scenario ended. Other processes on a 2-core machine take
   * CPU from both the client and the emulator; a load above ~1 means the figures are pessimistic.
   */
  readonly loadAverage: number;
}

/** Reads the machine at run time, so the figures and their context never drift apart. */
export function machine(): Machine {
  const list = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One line for the top of every scenario's output. */
export function describeMachine(m: Machine): string {
  return (
    `Node ${m.node} on ${m.platform}, ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ` +
    `load average ${m.loadAverage}`
  );
}
