import { InvalidArgumentError } from '@commander-js/extra-typings';
import { formatDuration } from '../emulator/duration.js';
import { parseDuration } from '../internal/http/duration.js';

// The parsers of the CLI's typed flags: each turns the text of a flag into its value, or throws
// the InvalidArgumentError that commander prints as a one-line usage error (64). Light on
// purpose: the command definitions import them, and `--help` loads every definition.

/**
 * The parser of an integer flag that accepts `min` to `max`: anything else (not an integer,
 * `1e20`, out of range) is a usage error that states the range. A bound on every number keeps
 * `--limit 99999999999999999999` from reaching the API as `1e20`.
 *
 * @example
 * ```ts
 * new Option('--concurrency <n>').argParser(intInRange(1, 256));
 * intInRange(1, 100)('500'); // InvalidArgumentError: expected an integer from 1 to 100.
 * ```
 */
export function intInRange(min: number, max: number): (text: string) => number {
  const range = `from ${min} to ${max}`;
  return (text) => {
    const n = Number(text.trim());
    if (!/^-?\d+$/.test(text.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${range}.`);
    return n;
  };
}

/** Emulator seeds are 32-bit: the emulator's PRNG takes `seed >>> 0`. */
export const seed = intInRange(0, 4_294_967_295);

/**
 * The parser of a duration flag, in ms: `30s`, `1m30s`, `500ms` (Go's syntax, as in OpenAI's
 * rate-limit headers), or a bare number of ms; from `minMs` to `maxMs`.
 *
 * @example
 * ```ts
 * duration(1, 3_600_000)('2m'); // 120000
 * duration(1, 3_600_000)('1500'); // 1500
 * ```
 */
export function duration(minMs: number, maxMs: number): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : parseDuration(trimmed);
    if (ms === undefined || !Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      throw new InvalidArgumentError(
        `expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, such as 30s, 2m or 500ms (a bare number is ms).`,
      );
    }
    return Math.ceil(ms);
  };
}

/** The parser of a probability flag, 0 to 1 (`--chaos`). */
export function probability(text: string): number {
  const n = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || n > 1)
    throw new InvalidArgumentError('expected a probability from 0 to 1, e.g. 0.2.');
  return n;
}
