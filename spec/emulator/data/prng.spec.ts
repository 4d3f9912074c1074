import { describe, expect, it } from 'vitest';
import {
  deriveSeed,
  mulberry32,
  pick,
  randomAlnum,
  randomInt,
} from '../../../src/emulator/data/prng.js';

const draw = (seed: number, n: number): number[] => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, random);
};

describe('mulberry32', () => {
  it.each([0, 1, 42, -7, 2 ** 32 + 5])('repeats for seed %d', (seed) => {
    expect(draw(seed, 20)).toEqual(draw(seed, 20));
  });

  it('pins the first values of seed 1, so data never changes silently', () => {
    expect(draw(1, 3)).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('differs between seeds and stays in [0, 1)', () => {
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
    for (const value of draw(3, 10_000)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('deriveSeed', () => {
  it.each([
    [1, 'ids'],
    [1, 'chaos'],
    [2, 'ids'],
  ])('is stable for (%d, %s)', (seed, label) => {
    expect(deriveSeed(seed, label)).toBe(deriveSeed(seed, label));
  });

  it('separates labels and seeds', () => {
    const seeds = new Set([deriveSeed(1, 'a'), deriveSeed(1, 'b'), deriveSeed(2, 'a')]);
    expect(seeds.size).toBe(3);
  });
});

describe('helpers', () => {
  it('randomInt stays within both bounds and reaches them', () => {
    const random = mulberry32(5);
    const seen = new Set(Array.from({ length: 500 }, () => randomInt(random, 3, 5)));
    expect([...seen].sort()).toEqual([3, 4, 5]);
  });

  it('pick returns elements of the array', () => {
    const random = mulberry32(5);
    const seen = new Set(Array.from({ length: 100 }, () => pick(random, ['a', 'b'] as const)));
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it.each([0, 1, 8, 24])('randomAlnum(%d) gives that many letters or digits', (length) => {
    expect(randomAlnum(mulberry32(9), length)).toMatch(new RegExp(`^[A-Za-z0-9]{${length}}$`));
  });
});
