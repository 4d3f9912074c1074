import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../../src/emulator/http/problem.js';
import { parseAfter, parseLimit, parseOrder } from '../../../src/emulator/http/query.js';

const q = (text: string) => new URLSearchParams(text);

function problemOf(run: () => unknown): ApiProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiProblem) return error;
    throw error;
  }
  throw new Error('expected an ApiProblem');
}

describe('parseLimit', () => {
  it.each([
    ['', 10, 10],
    ['limit=1', 10, 1],
    ['limit=100', 10, 100],
    ['limit=%2B7', 10, 7],
    ['limit=007', 20, 7],
  ])('%s (default %d) -> %d', (text, fallback, expected) => {
    expect(parseLimit(q(text), fallback, 100)).toBe(expected);
  });

  it.each([
    ['limit=0', 'integer_below_min_value'],
    ['limit=-1', 'integer_below_min_value'],
    ['limit=101', 'integer_above_max_value'],
    ['limit=99999999999999999999', 'integer_above_max_value'],
    ['limit=abc', 'invalid_type'],
    ['limit=1.5', 'invalid_type'],
    ['limit=', 'invalid_type'],
  ])('%s -> 400 %s naming limit', (text, code) => {
    const problem = problemOf(() => parseLimit(q(text), 10, 100));
    expect(problem.status).toBe(400);
    expect(problem.body.error).toMatchObject({
      param: 'limit',
      code,
      type: 'invalid_request_error',
    });
  });
});

describe('parseOrder', () => {
  it.each([
    ['', 'descending'],
    ['order=ascending', 'ascending'],
    ['order=descending', 'descending'],
  ])('%s -> %s', (text, expected) => {
    expect(parseOrder(q(text))).toBe(expected);
  });

  it.each(['order=sideways', 'order=asc', 'order=', 'order=ASCENDING'])('%s -> 400', (text) => {
    expect(problemOf(() => parseOrder(q(text))).body.error).toMatchObject({
      param: 'order',
      code: 'invalid_value',
    });
  });
});

describe('parseAfter', () => {
  it.each([
    ['', undefined],
    ['after=', undefined],
    ['after=cp_1', 'cp_1'],
    ['after=a%2Fb', 'a/b'],
  ])('%s -> %s', (text, expected) => {
    expect(parseAfter(q(text))).toBe(expected);
  });
});
