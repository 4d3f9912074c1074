import type { Readable, Writable } from 'node:stream';

/** The process's streams and environment, injected so commands can run inside a test. */
export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks the process to stop (Ctrl-C, SIGTERM). */
  readonly interrupted: () => Promise<string>;
}

/** The real process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    // Node creates stdin and stderr when first asked for them, at a cost that `--help` and most
    // commands need not pay for stdin (see "CLI start-up" in docs/performance.md).
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    interrupted: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  };
}
