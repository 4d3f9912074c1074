/**
 * A seeded pseudo-random source: the only randomness the emulator uses, so that one seed always
 * produces the same organisation, the same ids and the same chaos.
 */

/**
 * A function returning uniformly distributed floats in `[0, 1)`, like `Math.random`.
 *
 * @example
 * const random: Random = mulberry32(1);
 * random(); // 0.6270739405881613
 */
export type Random = () => number;

/**
 * Creates mulberry32, a tiny 32-bit PRNG: fast, good enough for test data, and deterministic.
 *
 * @example
 * const a = mulberry32(42);
 * const b = mulberry32(42);
 * a() === b(); // true
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives a new 32-bit seed from a seed and a label (FNV-1a), so independent streams (ids, chaos,
 * each checkpoint's permissions) do not shift when another stream draws more numbers.
 *
 * @example
 * const random = mulberry32(deriveSeed(1, 'chaos'));
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5;
  const mix = (unit: number): void => {
    hash = Math.imul(hash ^ unit, 0x01000193) >>> 0;
  };
  for (let shift = 0; shift < 32; shift += 8) mix((seed >>> shift) & 0xff);
  for (let i = 0; i < label.length; i++) mix(label.charCodeAt(i));
  return hash;
}

/**
 * Draws an integer in `[min, max]`, both inclusive.
 *
 * @example
 * randomInt(mulberry32(1), 3, 5); // 3, 4 or 5
 */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Picks one element of a non-empty array.
 *
 * @example
 * pick(mulberry32(1), ['a', 'b']); // 'a' or 'b'
 */
export function pick<T>(random: Random, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Draws a string of ASCII letters and digits, the alphabet of OpenAI's object ids
 * (`cp_zc4Q7MP6XxulcVzj4MZdwsAB` in the spec examples).
 *
 * @example
 * 'cp_' + randomAlnum(mulberry32(1), 24); // 'cp_' and 24 letters or digits
 */
export function randomAlnum(random: Random, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = ALNUM.charCodeAt(Math.floor(random() * ALNUM.length));
  return String.fromCharCode(...codes);
}
