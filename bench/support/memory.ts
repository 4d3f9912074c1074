import { readFile } from 'node:fs/promises';

/**
 * The live heap: the most `heapUsed` right after a forced full GC, every `everyMs`, bytes. What
 * is still referenced, garbage excluded: the figure that tells retention from mere allocation.
 * Needs `node --expose-gc`, and forcing GCs changes the process's RSS, so measure it in a run of
 * its own.
 *
 * @returns a function that stops it and gives the peak.
 */
export function sampleLiveHeap(everyMs: number): () => number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('sampleLiveHeap needs node --expose-gc');
  let peak = 0;
  const measure = (): void => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(measure, everyMs);
  return () => {
    clearInterval(timer);
    measure();
    return peak;
  };
}

/** Peaks of this process's memory over a stretch of time, in bytes. */
export interface MemoryPeaks {
  /** The kernel's high-water mark of resident memory (`ru_maxrss`): exact, never sampled. */
  readonly peakRss: number;
  /** The highest V8 `heapUsed` seen by sampling (garbage included until a GC collects it). */
  readonly peakHeapUsed: number;
  /** `rss` and `heapUsed` when sampling started: the process before the work. */
  readonly baselineRss: number;
  readonly baselineHeapUsed: number;
}

/**
 * Samples `process.memoryUsage()` every `intervalMs` until stopped. The peak heap is sampled (a
 * spike shorter than the interval can be missed), and counts garbage that no GC has collected
 * yet, so it grows with the length of a run even when nothing is retained; the peak RSS comes
 * from the kernel and is exact. Run each case in a fresh process, so the RSS high-water mark is
 * that case's alone.
 *
 * @example
 * ```ts
 * const stop = sampleMemory(5);
 * await work();
 * const { peakRss, peakHeapUsed } = stop();
 * ```
 */
export function sampleMemory(intervalMs: number): () => MemoryPeaks {
  const baseline = process.memoryUsage();
  let peakHeapUsed = baseline.heapUsed;
  const timer = setInterval(() => {
    peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  }, intervalMs);
  return () => {
    clearInterval(timer);
    peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
    return {
      peakRss: process.resourceUsage().maxRSS * 1024,
      peakHeapUsed,
      baselineRss: baseline.rss,
      baselineHeapUsed: baseline.heapUsed,
    };
  };
}

/**
 * Follows another process's resident-memory high-water mark (`VmHWM` in `/proc/<pid>/status`,
 * Linux only) until it exits; for a program we run as users do, without instrumenting it.
 * `VmHWM` never decreases, so the last reading before the exit is the peak to within one poll.
 *
 * @returns a function giving the highest reading so far, in bytes (0 if none succeeded).
 */
export function watchPeakRss(pid: number, intervalMs: number): () => number {
  let peak = 0;
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kib * 1024);
      } catch {
        return; // the process is gone
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  void poll();
  return () => {
    stopped = true;
    return peak;
  };
}
