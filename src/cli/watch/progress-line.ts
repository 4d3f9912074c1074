import type { PermissionChange, PollOutcome } from '../../audit/permission-changes.js';
import { terminalSafe } from '../terminal-text.js';

/**
 * The one-line status of a watch on a terminal's stderr, redrawn in place: the last poll, the
 * changes so far and when the next poll is due. Off when stderr is not a TTY (a log file gets
 * no carriage returns). It shows only times and counts: never a key, never a URL.
 *
 * @example
 * ```ts
 * const line = new WatchProgressLine(process.stderr, 60_000);
 * line.poll({ at: Date.now(), ok: true, changes: 2 });
 * line.stop();
 * ```
 */
export class WatchProgressLine {
  readonly #on: boolean;
  #changes = 0;
  #errors = 0;
  #last: PollOutcome | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly stream: { write(text: string): unknown; isTTY?: boolean },
    readonly intervalMs: number,
    enabled = true,
  ) {
    this.#on = enabled && stream.isTTY === true;
    // Counts down to the next poll between polls; unref'd: it never keeps the process alive.
    if (this.#on) this.#timer = setInterval(() => this.#draw(), 1000).unref();
  }

  poll(poll: PollOutcome): void {
    this.#last = poll;
    this.#draw();
  }

  change(change: PermissionChange): void {
    if (change.type === 'granted' || change.type === 'revoked') this.#changes++;
    if (change.type === 'error') this.#errors++;
  }

  /** Clears the line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#on) this.stream.write('\r\x1b[2K');
  }

  #draw(): void {
    if (!this.#on) return;
    const last = this.#last;
    const when = last ? new Date(last.at).toISOString().slice(11, 19) : 'none yet';
    const next = last
      ? Math.max(0, Math.ceil((last.at + this.intervalMs - Date.now()) / 1000))
      : undefined;
    const text = `watch: last poll ${when}${last && !last.ok ? ' (failed)' : ''}, ${this.#changes} change${this.#changes === 1 ? '' : 's'}, ${this.#errors} error${this.#errors === 1 ? '' : 's'}${next === undefined ? '' : `, next poll in ${next}s`}`;
    this.stream.write(`\r\x1b[2K${terminalSafe(text)}`);
  }
}
