/**
 * Child-process entry for one memory case of scenario 4: a fresh process per case, so that the
 * kernel's RSS high-water mark belongs to that case alone. The parent sends a {@link MemoryCase}
 * over IPC and receives a {@link MemoryCaseResult}.
 */
import { concatMap, from, lastValueFrom, mergeMap, reduce, type Observable } from 'rxjs';
import type { Client } from '../../src/index.js';
import { library } from '../support/library.js';
import { sampleLiveHeap, sampleMemory, type MemoryPeaks } from '../support/memory.js';
import { SlowConsumer } from '../support/slow-consumer.js';

const { auditPermissions, auditPermissions$, createClient, permissions$ } = library;

/** How the pages reach the slow consumer. */
export type Pipeline = 'auditPermissions$ + process' | 'auditPermissions (pull)' | 'naive';

export interface MemoryCase {
  readonly url: string;
  readonly apiKey: string;
  readonly pipeline: Pipeline;
  readonly checkpoints: readonly string[];
  readonly concurrency: number;
  readonly limit: number;
  readonly consumerMsPerPage: number;
  readonly sampleMs: number;
  /**
   * Measure the live heap instead of the peaks: force a full GC this often (needs
   * `--expose-gc`). The forced GCs lower the RSS, so such a run reports only `peakLiveHeap`.
   */
  readonly liveHeapEveryMs?: number;
}

export interface MemoryCaseResult extends MemoryPeaks {
  readonly permissions: number;
  readonly wallMs: number;
  /** The most pages requested but not yet consumed at once: what backpressure bounds. */
  readonly maxPagesAhead: number;
  /** With `liveHeapEveryMs`: the most heap still in use after a forced GC, bytes. */
  readonly peakLiveHeap?: number;
}

/** Reads every permission through `pipeline` into the consumer; returns the permissions read. */
function read(c: MemoryCase, client: Client, consumer: SlowConsumer): Promise<number> {
  const options = { client, concurrency: c.concurrency, limit: c.limit };
  switch (c.pipeline) {
    case 'auditPermissions$ + process':
      return lastValueFrom(
        auditPermissions$(c.checkpoints, {
          ...options,
          // The page record closes a page: the checkpoint's next page waits for the consumer.
          process: (record) => (record.type === 'page' ? consumer.consume() : []),
        }),
      ).then((last) => (last.type === 'summary' ? last.permissions : NaN));
    case 'auditPermissions (pull)':
      return (async () => {
        let permissions = 0;
        for await (const record of auditPermissions(c.checkpoints, options)) {
          if (record.type === 'page') await consumer.consume();
          if (record.type === 'permission') permissions++;
        }
        return permissions;
      })();
    case 'naive': {
      // The pipeline peers.md describes: `permissions$` pages with `expand`, which requests the
      // next page as soon as the previous one is pushed on; `concatMap` queues what the consumer
      // has not taken yet, without bound.
      const pages$: Observable<number> = from(c.checkpoints).pipe(
        mergeMap(
          (checkpoint) => permissions$(checkpoint, { client, limit: c.limit }),
          c.concurrency,
        ),
        concatMap(async (page) => {
          await consumer.consume();
          return page.data.length;
        }),
      );
      return lastValueFrom(pages$.pipe(reduce((sum, n) => sum + n, 0)));
    }
  }
}

async function runCase(c: MemoryCase): Promise<MemoryCaseResult> {
  const client = createClient({
    adminAPIKey: c.apiKey,
    baseURL: c.url,
    rateLimit: { maxConcurrency: c.concurrency },
  });
  const consumer = new SlowConsumer(c.consumerMsPerPage);
  let maxPagesAhead = 0;
  const ahead = setInterval(() => {
    maxPagesAhead = Math.max(maxPagesAhead, client.metrics().requests - consumer.consumed);
  }, c.sampleMs);
  const stop = sampleMemory(c.sampleMs);
  const stopLiveHeap =
    c.liveHeapEveryMs === undefined ? undefined : sampleLiveHeap(c.liveHeapEveryMs);
  const start = performance.now();
  try {
    const permissions = await read(c, client, consumer);
    const wallMs = performance.now() - start;
    const peakLiveHeap = stopLiveHeap?.();
    return {
      ...stop(),
      permissions,
      wallMs,
      maxPagesAhead,
      ...(peakLiveHeap ? { peakLiveHeap } : {}),
    };
  } finally {
    stop();
    stopLiveHeap?.();
    clearInterval(ahead);
    await client.close();
  }
}

process.once('message', (c: MemoryCase) => {
  runCase(c).then(
    (result) => process.send?.({ result }, () => process.disconnect()),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.disconnect()),
  );
});
