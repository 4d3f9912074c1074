import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { resolveOptions } from '../../src/client/resolve-options.js';
import { resolveListOptions } from '../../src/resources/list-options.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function withOption(path: string, value: unknown): Record<string, unknown> {
  const [head, sub] = path.split('.') as [string, string | undefined];
  return sub === undefined ? { [head]: value } : { [head]: { [sub]: value } };
}

const SAFE = String(Number.MAX_SAFE_INTEGER);
const TIMER = '2147483647';

// [option, the largest value accepted, the smallest value refused above it, the range's upper
// bound as the message must state it]
const CLIENT: Array<[string, number, number, string]> = [
  ['timeout', 2 ** 31 - 1, 2 ** 31, TIMER],
  ['maxRetries', 1000, 1001, '1000'],
  ['initialRetryDelay', 2 ** 31 - 1, 2 ** 31, TIMER],
  ['maxRetryDelay', 2 ** 31 - 1, 2 ** 31, TIMER],
  ['maxRetryAfter', 2 ** 31 - 1, 2 ** 31, TIMER],
  ['deadline', 2 ** 31 - 1, 2 ** 31, TIMER],
  ['maxResponseBytes', 256 * 1024 * 1024, 256 * 1024 * 1024 + 1, '268435456'],
  ['rateLimit.maxConcurrency', 1024, 1025, '1024'],
  ['rateLimit.requestsPerMinute', Number.MAX_SAFE_INTEGER, 1e21, SAFE],
  ['rateLimit.retryBudget', Number.MAX_SAFE_INTEGER, 1e21, SAFE],
  ['rateLimit.defaultCooldown', 2 ** 31 - 1, 2 ** 31, TIMER],
];

describe('numeric client options are bounded, and the ConfigError states the range', () => {
  it.each(CLIENT)('%s accepts %d', (path, largest) => {
    expect(() => resolveOptions(withOption(path, largest), {})).not.toThrow();
  });

  it.each(CLIENT)(
    '%s refuses the next value up, naming the range',
    (path, _largest, refused, bound) => {
      const error = configError(() => resolveOptions(withOption(path, refused), {}));
      expect(error.option).toBe(path);
      expect(error.message).toContain(bound);
    },
  );

  it.each(CLIENT)('%s refuses 1e21', (path, _largest, _refused, bound) => {
    const error = configError(() => resolveOptions(withOption(path, 1e21), {}));
    expect(error.option).toBe(path);
    expect(error.message).toContain(bound);
    expect(error.message).toContain('1e+21');
  });
});

// [option, the largest value accepted, a value refused]
const LIST: Array<[string, number, number]> = [
  ['limit', Number.MAX_SAFE_INTEGER, 1e21],
  ['limit', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1],
  ['maxPages', Number.MAX_SAFE_INTEGER, 1e21],
  ['maxPages', Number.MAX_SAFE_INTEGER, 2 ** 60],
];

describe('numeric list options are bounded to safe integers, and the ConfigError states the range', () => {
  it.each(LIST)('%s accepts %d and refuses %d', (option, largest, refused) => {
    expect(() => resolveListOptions('ft:x', { [option]: largest })).not.toThrow();
    const error = configError(() => resolveListOptions('ft:x', { [option]: refused }));
    expect(error.option).toBe(option);
    expect(error.message).toContain(`1 to ${SAFE}`);
  });
});
