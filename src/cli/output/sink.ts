import { closeSync, existsSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

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
 * `OutputClosedError`: the reader left, which is not a failure. Any other error (a full disk,
 * an I/O error) is one: every write from then on fails with a `CliError` (exit 74), because a
 * report cut short must never end an audit with "clean".
 *
 * @example
 * ```ts
 * const sink = streamSink(process.stdout);
 * await sink.write('{"checkpoint":"ft:…"}\n');
 * ```
 */
export function streamSink(stream: Writable, name = 'stdout'): OutputSink {
  let bytes = 0;
  let failure: Error | undefined;
  const waiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  const fail = (error: unknown): void => {
    const code = (error as { code?: string } | null)?.code;
    // After an EPIPE, Node reports later writes as ERR_STREAM_DESTROYED: the same departure.
    if (
      code === 'EPIPE' ||
      (code === 'ERR_STREAM_DESTROYED' && failure instanceof OutputClosedError)
    ) {
      failure = new OutputClosedError('The reader closed the pipe');
    } else if (!(failure instanceof OutputClosedError)) {
      failure = new CliError(
        ExitCode.IOError,
        `Cannot write the report to ${name}: ${(error as Error).message ?? String(error)}.`,
        {
          cause: error,
        },
      );
    }
    for (const waiter of waiters) waiter.reject(failure);
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
      if (failure) return Promise.reject(failure);
      bytes += Buffer.byteLength(text);
      if (stream.write(text)) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.add({ resolve, reject }));
    },
    async close() {
      // Wait until everything written so far has been handed on (an empty write's callback runs
      // after the writes before it), so that a late error is seen before the exit code is set.
      if (!failure && !stream.destroyed) {
        await new Promise<void>((resolve) => stream.write('', () => resolve()));
      }
      stream.off('drain', onDrain);
      // stdout is never ended: Node owns it. The error listener stays, for late EPIPEs.
      if (failure && !(failure instanceof OutputClosedError)) throw failure;
    },
  };
}

/**
 * A sink over a file, written with synchronous writes: when `write` returns, the bytes are in
 * the kernel, so a journal commit that follows can never point past the file's end, even if the
 * process is killed the next instant. With `resumeAt`, the file is first cut back to that
 * length: whatever a killed run wrote after its last commit is dropped, and written again. A
 * file missing or shorter than that is not the interrupted run's output: resuming into it would
 * lose the records it should hold, so it is refused.
 *
 * @example
 * ```ts
 * const sink = fileSink('audit.jsonl', { resumeAt: journal.state.offset });
 * ```
 */
export function fileSink(path: string, { resumeAt }: { resumeAt?: number } = {}): OutputSink {
  const resuming = resumeAt !== undefined && resumeAt > 0;
  if (resuming) {
    const size = existsSync(path) ? statSync(path).size : undefined;
    if (size === undefined || size < resumeAt) {
      throw new CliError(
        ExitCode.DataError,
        `${path} ${size === undefined ? 'does not exist' : `holds ${size} bytes`}, but the state file says the interrupted run had written ${resumeAt}: ` +
          'resume with the same --output file, or start afresh without --resume.',
      );
    }
  }
  // Created 0600: a report names the organization's checkpoints and projects. A file that is
  // already there keeps its mode.
  const fd = openSync(path, resuming ? 'r+' : 'w', 0o600);
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
      try {
        while (done < buffer.length)
          done += writeSync(fd, buffer, done, buffer.length - done, bytes + done);
      } catch (error) {
        throw new CliError(ExitCode.IOError, `Cannot write ${path}: ${(error as Error).message}.`, {
          cause: error,
        });
      }
      bytes += buffer.length;
    },
    async close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
