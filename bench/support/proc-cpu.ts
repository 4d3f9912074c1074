import { readFile } from 'node:fs/promises';

/** Linux's `USER_HZ`, the unit of the CPU times in `/proc/<pid>/stat`; 100 on every usual build. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) another process has used since it started, ms, from
 * `/proc/<pid>/stat` (Linux only; 10 ms resolution). Used to see whether the emulator, rather
 * than the client, is what limits a run. `NaN` where `/proc` is unavailable.
 *
 * @example
 * ```ts
 * const before = await processCpuMs(pid);
 * await work();
 * const serverCpuMs = (await processCpuMs(pid)) - before;
 * ```
 */
export async function processCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}
