import { closeSync, existsSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where report lines go, with the number of bytes written (the journal's commit offsets). */
export interface OutputSink {
  /** Bytes of output so far, counting what was there before a resumed run. */
  readonly bytes: number;
  /**
   * Writes text; the promise settles when the destination has taken it (a full pipe waits for
   * `drain`), which is what holds a fast audit back behind a slow `| gzip`. Rejects with
   * {@link OutputClosedError} when the reader has gone away (`| head`).
   */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** The reader of our output went away (EPIPE): stop quietly, it is not a failure. */
export class OutputClosedError extends Error {
  override name = 'OutputClosedError';
}

/**
 * A sink over a stream such as stdout, with backpressure: a write that fills the stream's
 * buffer resolves only on `drain`. An EPIPE (the reader closed, as `head` does) is caught
 * here, so Node never prints its stack trace, and turns every later write into an
 * `OutputClosedError`.
 *
 * @example
 * ```ts
 * const sink = streamSink(process.stdout);
 * await sink.write('{"checkpoint":"ft:…"}\n');
 * ```
 */
export function streamSink(stream: Writable): OutputSink {
  let bytes = 0;
  let closed: OutputClosedError | undefined;
  const waiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  const fail = (error: unknown): void => {
    const code = (error as { code?: string } | null)?.code;
    closed = new OutputClosedError(code === 'EPIPE' ? 'The reader closed the pipe' : String(error));
    for (const waiter of waiters) waiter.reject(closed);
    waiters.clear();
  };
  stream.on('error', fail);
  const onDrain = (): void => {
    for (const waiter of waiters) waiter.resolve();
    waiters.clear();
  };
  stream.on('drain', onDrain);
  return {
    get bytes() {
      return bytes;
    },
    write(text) {
      if (closed) return Promise.reject(closed);
      bytes += Buffer.byteLength(text);
      if (stream.write(text)) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.add({ resolve, reject }));
    },
    async close() {
      stream.off('drain', onDrain);
      // stdout is never ended: Node owns it. The error listener stays, for late EPIPEs.
    },
  };
}

/**
 * A sink over a file, written with synchronous writes: when `write` returns, the bytes are in
 * the kernel, so a journal commit that follows can never point past the file's end, even if the
 * process is killed the next instant. With `resumeAt`, the file is first cut back to that
 * length: whatever a killed run wrote after its last commit is dropped, and written again.
 *
 * @example
 * ```ts
 * const sink = fileSink('audit.jsonl', { resumeAt: journal.state.offset });
 * ```
 */
export function fileSink(path: string, { resumeAt }: { resumeAt?: number } = {}): OutputSink {
  const resuming = resumeAt !== undefined && existsSync(path);
  const fd = openSync(path, resuming ? 'r+' : 'w');
  let bytes = 0;
  if (resuming) {
    ftruncateSync(fd, resumeAt);
    bytes = resumeAt;
  }
  let open = true;
  return {
    get bytes() {
      return bytes;
    },
    async write(text) {
      const buffer = Buffer.from(text);
      let done = 0;
      while (done < buffer.length)
        done += writeSync(fd, buffer, done, buffer.length - done, bytes + done);
      bytes += buffer.length;
    },
    async close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
