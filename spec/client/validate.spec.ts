import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import * as check from '../../src/client/validate.js';

/** The ConfigError that `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const noop = (): void => {};

// [check, accepted values, rejected values, the words the message uses for what is accepted]
describe.each<[string, (option: string, value: unknown) => unknown, unknown[], unknown[], string]>([
  [
    'positiveInteger',
    check.positiveInteger,
    [1, 10, 2 ** 31],
    [0, -1, 1.5, Number.NaN, Infinity, '3', null, undefined, true],
    'a positive integer',
  ],
  [
    'nonNegativeInteger',
    check.nonNegativeInteger,
    [0, 1, 6],
    [-1, 0.5, Number.NaN, Infinity, '0', null],
    'an integer ≥ 0',
  ],
  [
    'milliseconds',
    check.milliseconds,
    [0, 1, 0.5, 60_000],
    [-1, Number.NaN, Infinity, -Infinity, '100', null, undefined],
    'a non-negative number of milliseconds',
  ],
  [
    'positiveNumber',
    check.positiveNumber,
    [0.1, 1, 600],
    [0, -1, Number.NaN, Infinity, '60', null],
    'a positive number',
  ],
  [
    'nonEmptyString',
    check.nonEmptyString,
    ['x', ' x '],
    ['', '   ', '\n', 1, null, undefined, ['x']],
    'a non-empty string',
  ],
  ['boolean', check.boolean, [true, false], ['true', 0, 1, null, undefined], 'true or false'],
  ['callable', check.callable, [noop, Math.random], ['noop', {}, null, 1], 'a function'],
  [
    'optionsObject',
    check.optionsObject,
    [{}, { a: 1 }],
    [null, [], 'x', 1, noop],
    'an options object',
  ],
])('%s', (_name, fn, good, bad, accepted) => {
  it.each(good.map((v) => [v]))('accepts %j', (value) => {
    expect(fn('opt.name', value)).toBe(value);
  });

  it.each(bad.map((v) => [v]))('rejects %j, naming the option and what it accepts', (value) => {
    const error = configError(() => fn('opt.name', value));
    expect(error.option).toBe('opt.name');
    expect(error.message).toMatch(/^opt\.name must be /);
    expect(error.message).toContain(accepted);
    expect(error.message).toContain('got ');
  });
});

describe('milliseconds options', () => {
  it.each([
    [{ positive: true }, 0, false],
    [{ positive: true }, 1, true],
    [{ infinite: true }, Infinity, true],
    [{ positive: true, infinite: true }, Infinity, true],
    [{ positive: true, infinite: true }, 0, false],
    [{ infinite: true }, Number.NaN, false],
    [{ infinite: true }, -Infinity, false],
  ])('%j: %d accepted %s', (opts, value, ok) => {
    if (ok) expect(check.milliseconds('t', value, opts)).toBe(value);
    else expect(() => check.milliseconds('t', value, opts)).toThrow(ConfigError);
  });

  it.each([
    [{ positive: true }, 'a positive number of milliseconds'],
    [
      { positive: true, infinite: true },
      'a positive number of milliseconds (above 0 to 2147483647, about 24.8 days) or Infinity',
    ],
    [{}, 'a non-negative number of milliseconds'],
  ])('%j says it accepts %j', (opts, accepted) => {
    expect(configError(() => check.milliseconds('t', -5, opts)).message).toContain(accepted);
  });
});

describe('what the message shows of the value', () => {
  it.each([
    [-1, 'got -1'],
    [Number.NaN, 'got NaN'],
    [null, 'got null'],
    [undefined, 'got undefined'],
    ['abc', 'got "abc"'],
    [[1], 'got an array'],
    [{}, 'got an object'],
    [noop, 'got a function'],
  ])('%j -> %j', (value, shown) => {
    expect(configError(() => check.positiveInteger('limit', value)).message).toContain(shown);
  });

  it('shortens a long string', () => {
    const message = configError(() => check.positiveInteger('limit', 'x'.repeat(500))).message;
    expect(message.length).toBeLessThan(150);
    expect(message).toContain('…');
  });

  // `secret` keeps the value itself out of the message, whatever its type.
  it.each([
    ['a blank string', '   '],
    ['an empty string', ''],
    ['a number', 4_242_424_242],
  ])('with secret, hides %s', (_name, value) => {
    const error = configError(() => check.nonEmptyString('apiKey', value, true));
    expect(error.option).toBe('apiKey');
    expect(error.message).toContain('a non-empty string');
    expect(error.message).not.toContain(`got ${JSON.stringify(value)}`);
  });
});

describe('oneOf', () => {
  it.each(['ascending', 'descending'])('accepts %j', (value) => {
    expect(check.oneOf('order', value, ['ascending', 'descending'])).toBe(value);
  });

  it.each([['asc'], ['Ascending'], [''], [1], [null]])(
    'rejects %j, listing the choices',
    (value) => {
      const error = configError(() => check.oneOf('order', value, ['ascending', 'descending']));
      expect(error.option).toBe('order');
      expect(error.message).toContain("one of 'ascending', 'descending'");
    },
  );
});

describe('stringRecord', () => {
  it.each([[{}], [{ 'x-a': '1', 'X-B': '' }]])('accepts %j', (value) => {
    expect(check.stringRecord('defaultHeaders', value)).toBe(value);
  });

  it.each([[null], [[]], ['x-a: 1'], [1]])('rejects %j', (value) => {
    const error = configError(() => check.stringRecord('defaultHeaders', value));
    expect(error.option).toBe('defaultHeaders');
    expect(error.message).toContain('an object of strings');
  });

  it.each([
    [{ 'x-a': 1 }, 'defaultHeaders.x-a'],
    [{ ok: 'y', 'x-b': null }, 'defaultHeaders.x-b'],
    [{ 'x-c': ['1'] }, 'defaultHeaders.x-c'],
  ])('names the entry that is not a string in %j', (value, option) => {
    const error = configError(() => check.stringRecord('defaultHeaders', value));
    expect(error.option).toBe(option);
    expect(error.message).toContain('a string');
  });
});

describe('knownKeys', () => {
  it('accepts known keys and none at all', () => {
    expect(() => check.knownKeys('', { a: 1, b: 2 }, ['a', 'b', 'c'])).not.toThrow();
    expect(() => check.knownKeys('rateLimit', {}, ['a'])).not.toThrow();
  });

  it.each([
    ['', { maxRetry: 3 }, 'maxRetry'],
    ['rateLimit', { concurrency: 2 }, 'rateLimit.concurrency'],
  ])('in %j rejects %j as %j, listing the accepted keys', (where, value, option) => {
    const error = configError(() => check.knownKeys(where, value, ['maxRetries', 'timeout']));
    expect(error.option).toBe(option);
    expect(error.message).toContain(`Unknown option ${option}`);
    expect(error.message).toContain('maxRetries, timeout');
  });
});
