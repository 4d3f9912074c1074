import { ConfigError } from '../errors.js';
import { MAX_TIMER_DELAY } from './timer-delay.js';

/**
 * Checks of option values, each throwing a {@link ConfigError} that names the option, says what
 * it accepts (the range included) and shows what it got. Used once, at the boundary
 * (`createClient`, the stream factories), so that nothing deeper ever sees a bad value.
 *
 * Every number is bounded: an integer to a safe integer ({@link MAX_SAFE}) or a tighter cap, a
 * duration to what a timer can hold ({@link MAX_TIMER_DELAY}). `1e21` is a typo, not a limit.
 *
 * @example
 * ```ts
 * positiveInteger('limit', 0); // ConfigError: limit must be a positive integer (1 to 9007199254740991), got 0
 * ```
 */
export function positiveInteger(option: string, value: unknown, max: number = MAX_SAFE): number {
  return integerIn(option, value, 1, max, 'a positive integer');
}

/** The largest integer every number option accepts unless it names a tighter cap. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A whole number ≥ 0, up to `max`. */
export function nonNegativeInteger(option: string, value: unknown, max: number = MAX_SAFE): number {
  return integerIn(option, value, 0, max, 'an integer ≥ 0');
}

/**
 * A whole number in [`min`, `max`].
 *
 * @example
 * ```ts
 * integerIn('maxResponseBytes', 1e21, 1024, 2 ** 28);
 * // ConfigError: maxResponseBytes must be an integer (1024 to 268435456), got 1e+21
 * ```
 */
export function integerIn(
  option: string,
  value: unknown,
  min: number,
  max: number,
  what = 'an integer',
): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
    return value;
  throw invalid(option, `${what} (${min} to ${max})`, value);
}

/**
 * A number of milliseconds ≥ 0 (> 0 when `positive`), at most what a timer holds,
 * {@link MAX_TIMER_DELAY} (about 24.8 days); `Infinity` allowed when `infinite`.
 */
export function milliseconds(
  option: string,
  value: unknown,
  { positive = false, infinite = false } = {},
): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    ((infinite && value === Infinity) || value <= MAX_TIMER_DELAY) &&
    (positive ? value > 0 : value >= 0);
  if (ok) return value;
  const range = `${positive ? 'above 0' : '0'} to ${MAX_TIMER_DELAY}, about 24.8 days`;
  const what = `${positive ? 'a positive' : 'a non-negative'} number of milliseconds (${range})${infinite ? ' or Infinity' : ''}`;
  throw invalid(option, what, value);
}

/** A positive finite number, up to `max`. */
export function positiveNumber(option: string, value: unknown, max: number = MAX_SAFE): number {
  if (typeof value === 'number' && value > 0 && value <= max) return value;
  throw invalid(option, `a positive number (above 0 to ${max})`, value);
}

/** A non-empty string. `secret` keeps the value itself out of the message. */
export function nonEmptyString(option: string, value: unknown, secret = false): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (secret)
    throw new ConfigError(
      option,
      `${option} must be a non-empty string, got ${typeof value === 'string' ? 'a blank string' : describeType(value)}`,
    );
  throw invalid(option, 'a non-empty string', value);
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(option: string, value: unknown, accepted: readonly T[]): T {
  if (typeof value === 'string' && (accepted as readonly string[]).includes(value))
    return value as T;
  throw invalid(option, `one of ${accepted.map((a) => `'${a}'`).join(', ')}`, value);
}

/** A boolean. */
export function boolean(option: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw invalid(option, 'true or false', value);
}

/** A function. */
export function callable<T>(option: string, value: unknown): T {
  if (typeof value === 'function') return value as T;
  throw invalid(option, 'a function', value);
}

/** A plain object with string values, such as a header record. */
export function stringRecord(option: string, value: unknown): Record<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
    if (!bad) return value as Record<string, string>;
    throw invalid(`${option}.${bad[0]}`, 'a string', bad[1]);
  }
  throw invalid(option, 'an object of strings', value);
}

/**
 * Rejects keys a caller passed that an options object does not know: a typo such as
 * `maxRetry` must not be silently ignored.
 */
export function knownKeys(where: string, value: object, accepted: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!accepted.includes(key)) {
      throw new ConfigError(
        where ? `${where}.${key}` : key,
        `Unknown option ${where ? `${where}.` : ''}${key}; accepted: ${accepted.join(', ')}`,
      );
    }
  }
}

/** The options object itself: absent, or a plain object. */
export function optionsObject(where: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw invalid(where, 'an options object', value);
}

function invalid(option: string, accepted: string, value: unknown): ConfigError {
  return new ConfigError(option, `${option} must be ${accepted}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}…` : JSON.stringify(value);
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  ) {
    return String(value);
  }
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : `an ${typeof value}`;
}

/** The kind of a value, never the value: for secrets. */
function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** An `AbortSignal`. */
export function signal(value: unknown): AbortSignal {
  if (value instanceof AbortSignal) return value;
  throw new ConfigError(
    'signal',
    'signal must be an AbortSignal, such as new AbortController().signal',
  );
}
