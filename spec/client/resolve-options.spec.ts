import { readFileSync } from 'node:fs';
import { queueScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { dispatchTarget, pathAndQuery } from '../../src/internal/http/url.js';
import { DEFAULT_BASE_URL, resolveOptions } from '../../src/client/resolve-options.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

const KEY = 'sk-admin-SECRET-0123456789';
const NO_ENV = {};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('resolveOptions', () => {
  describe('defaults', () => {
    const resolved = resolveOptions({}, NO_ENV);

    it.each<[string, unknown, unknown]>([
      ['baseURL', resolved.baseURL, 'https://api.openai.com/v1'],
      ['apiKey', resolved.apiKey, undefined],
      ['timeout', resolved.timeout, 30_000],
      ['maxResponseBytes', resolved.maxResponseBytes, 32 * 1024 * 1024],
      ['retry.maxRetries', resolved.retry.maxRetries, 6],
      ['retry.initialRetryDelay', resolved.retry.initialRetryDelay, 500],
      ['retry.maxRetryDelay', resolved.retry.maxRetryDelay, 8_000],
      ['retry.maxRetryAfter', resolved.retry.maxRetryAfter, 60_000],
      ['retry.deadline', resolved.retry.deadline, Infinity],
      ['limiter.maxConcurrency', resolved.limiter.maxConcurrency, 8],
      ['limiter.requestsPerMinute', resolved.limiter.requestsPerMinute, undefined],
      ['limiter.adaptive', resolved.limiter.adaptive, true],
      ['limiter.defaultCooldown', resolved.limiter.defaultCooldown, 1_000],
      ['retryBudget', resolved.retryBudget, 500],
      ['dispatcher', resolved.dispatcher, undefined],
      ['onRetry', resolved.onRetry, undefined],
      ['random', resolved.random, Math.random],
      ['headers.accept', resolved.headers.accept, 'application/json'],
      ['headers.openai-organization', resolved.headers['openai-organization'], undefined],
      ['headers.openai-project', resolved.headers['openai-project'], undefined],
    ])('%s is %j', (_name, actual, expected) => {
      expect(actual).toBe(expected);
    });

    it('the base URL default is the documented one', () => {
      expect(DEFAULT_BASE_URL).toBe('https://api.openai.com/v1');
    });

    it('the user agent names this package and its version from package.json', () => {
      expect(pkg.name).toBe('rx-checkpoint-permissions');
      expect(resolved.headers['user-agent']).toMatch(
        new RegExp(`^rx-checkpoint-permissions/${pkg.version.replaceAll('.', '\\.')}(\\s|$)`),
      );
    });

    it('undefined options are the same as none', () => {
      expect(resolveOptions(undefined, NO_ENV).retry).toEqual(resolved.retry);
    });
  });

  it('keeps what it is given', () => {
    const dispatcher = { dispatch: () => true };
    const random = (): number => 0.25;
    const onRetry = (): void => {};
    const resolved = resolveOptions(
      {
        apiKey: KEY,
        baseURL: 'http://127.0.0.1:8080/v1',
        organization: 'org_1',
        project: 'proj_1',
        timeout: 1_000,
        dispatcher,
        scheduler: queueScheduler,
        userAgent: 'my-audit/1.0',
        maxRetries: 0,
        initialRetryDelay: 0,
        maxRetryDelay: 100,
        maxRetryAfter: 0,
        deadline: 5_000,
        random,
        onRetry,
        rateLimit: {
          maxConcurrency: 2,
          requestsPerMinute: 30,
          adaptive: false,
          retryBudget: false,
          defaultCooldown: 0,
        },
      },
      NO_ENV,
    );
    expect(resolved).toMatchObject({
      apiKey: KEY,
      baseURL: 'http://127.0.0.1:8080/v1',
      timeout: 1_000,
      retry: {
        maxRetries: 0,
        initialRetryDelay: 0,
        maxRetryDelay: 100,
        maxRetryAfter: 0,
        deadline: 5_000,
      },
      retryBudget: false,
      limiter: { maxConcurrency: 2, requestsPerMinute: 30, adaptive: false, defaultCooldown: 0 },
      headers: {
        'user-agent': 'my-audit/1.0',
        'openai-organization': 'org_1',
        'openai-project': 'proj_1',
      },
    });
    expect(resolved.dispatcher).toBe(dispatcher);
    expect(resolved.scheduler).toBe(queueScheduler);
    expect(resolved.random).toBe(random);
    expect(resolved.onRetry).toBe(onRetry);
  });

  describe('the environment', () => {
    // Each kind of key has its own variable: one is never read as the other.
    it.each<[string, unknown, Record<string, string>, string | undefined, string | undefined]>([
      [
        'OPENAI_ADMIN_KEY is the admin key, OPENAI_API_KEY the project key',
        {},
        { OPENAI_ADMIN_KEY: 'sk-admin', OPENAI_API_KEY: 'sk-api' },
        'sk-admin',
        'sk-api',
      ],
      [
        'OPENAI_API_KEY alone is not an admin key',
        {},
        { OPENAI_API_KEY: 'sk-api' },
        undefined,
        'sk-api',
      ],
      [
        'OPENAI_ADMIN_KEY alone is not a project key',
        {},
        { OPENAI_ADMIN_KEY: 'sk-admin' },
        'sk-admin',
        undefined,
      ],
      [
        'a blank OPENAI_ADMIN_KEY is unset',
        {},
        { OPENAI_ADMIN_KEY: ' ', OPENAI_API_KEY: 'sk-api' },
        undefined,
        'sk-api',
      ],
      [
        'explicit keys over both',
        { adminAPIKey: 'sk-admin-mine', apiKey: 'sk-mine' },
        { OPENAI_ADMIN_KEY: 'sk-admin', OPENAI_API_KEY: 'sk-api' },
        'sk-admin-mine',
        'sk-mine',
      ],
      [
        'surrounding whitespace trimmed (env)',
        {},
        { OPENAI_ADMIN_KEY: ' sk-admin\n' },
        'sk-admin',
        undefined,
      ],
      [
        'surrounding whitespace trimmed (option)',
        { apiKey: '  sk-mine ' },
        {},
        undefined,
        'sk-mine',
      ],
      ['no key anywhere: not an error yet', {}, {}, undefined, undefined],
      [
        'other variables are not keys',
        {},
        { OPENAI_KEY: 'sk-x', OPENAI_ADMIN_API_KEY: 'sk-y' },
        undefined,
        undefined,
      ],
    ])('keys: %s', (_name, options, env, adminAPIKey, apiKey) => {
      const resolved = resolveOptions(options, env);
      expect(resolved.adminAPIKey).toBe(adminAPIKey);
      expect(resolved.apiKey).toBe(apiKey);
    });

    it.each<[string, unknown, Record<string, string>, string]>([
      [
        'OPENAI_BASE_URL',
        {},
        { OPENAI_BASE_URL: 'http://localhost:4010/v1' },
        'http://localhost:4010/v1',
      ],
      [
        'OPENAI_BASE_URL without its trailing slash',
        {},
        { OPENAI_BASE_URL: 'http://localhost:4010/v1/' },
        'http://localhost:4010/v1',
      ],
      [
        'an explicit baseURL over OPENAI_BASE_URL',
        { baseURL: 'https://x.test/v1' },
        { OPENAI_BASE_URL: 'http://localhost:4010/v1' },
        'https://x.test/v1',
      ],
      [
        'a blank OPENAI_BASE_URL is unset',
        {},
        { OPENAI_BASE_URL: '  ' },
        'https://api.openai.com/v1',
      ],
    ])('baseURL: %s', (_name, options, env, baseURL) => {
      expect(resolveOptions(options, env).baseURL).toBe(baseURL);
    });

    it('rejects a bad OPENAI_BASE_URL as baseURL', () => {
      expect(
        configError(() => resolveOptions({}, { OPENAI_BASE_URL: 'ftp://x.test' })).option,
      ).toBe('baseURL');
    });

    it.each<[string, unknown, Record<string, string>, Record<string, string | undefined>]>([
      [
        'OPENAI_ORG_ID and OPENAI_PROJECT_ID',
        {},
        { OPENAI_ORG_ID: 'org_env', OPENAI_PROJECT_ID: 'proj_env' },
        { 'openai-organization': 'org_env', 'openai-project': 'proj_env' },
      ],
      [
        'explicit options over them',
        { organization: 'org_mine', project: 'proj_mine' },
        { OPENAI_ORG_ID: 'org_env', OPENAI_PROJECT_ID: 'proj_env' },
        { 'openai-organization': 'org_mine', 'openai-project': 'proj_mine' },
      ],
      ['neither', {}, {}, { 'openai-organization': undefined, 'openai-project': undefined }],
    ])('organization and project: %s', (_name, options, env, headers) => {
      const resolved = resolveOptions(options, env);
      for (const [name, value] of Object.entries(headers)) {
        expect(resolved.headers[name]).toBe(value);
      }
    });
  });

  describe('baseURL', () => {
    // The base URL is only good if a request URL built on it is the one meant.
    it.each([
      ['https://api.openai.com/v1', 'https://api.openai.com/v1/fine_tuning/jobs'],
      ['https://api.openai.com/v1/', 'https://api.openai.com/v1/fine_tuning/jobs'],
      ['https://api.openai.com/v1///', 'https://api.openai.com/v1/fine_tuning/jobs'],
      ['http://localhost:8080', 'http://localhost:8080/fine_tuning/jobs'],
      ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/fine_tuning/jobs'],
      // WHATWG URL parsing ignores surrounding spaces, so such a value passes the check; the
      // value used must be the same URL, not one with a space inside the path.
      [' https://x.test/v1/ ', 'https://x.test/v1/fine_tuning/jobs'],
    ])('%j gives requests like %j', (baseURL, url) => {
      const { origin, basePath } = dispatchTarget(resolveOptions({ baseURL }, NO_ENV).baseURL);
      expect(`${origin}${basePath}${pathAndQuery('/fine_tuning/jobs')}`).toBe(url);
    });

    it.each([
      ['ftp://x.test/v1'],
      ['file:///etc/passwd'],
      ['not a url'],
      ['api.openai.com/v1'],
      ['https://x.test/v1?x=1'],
      ['https://x.test/v1?'], // an empty query is still a query: "?/fine_tuning/..." would follow
      ['https://x.test/v1#frag'],
      ['https://x.test/v1#'],
      [''],
      ['   '],
      [42],
      [null],
    ])('rejects %j', (baseURL) => {
      const error = configError(() => resolveOptions({ baseURL }, NO_ENV));
      expect(error.option).toBe('baseURL');
      expect(error.message).toMatch(/http\(s\) URL|non-empty string/);
    });
  });

  describe('headers', () => {
    it('lower-cases defaultHeaders and lets them override ours', () => {
      const { headers } = resolveOptions(
        {
          defaultHeaders: {
            'User-Agent': 'custom/2',
            'X-Trace': 't1',
            Accept: 'application/json; q=1',
          },
        },
        NO_ENV,
      );
      expect(headers['user-agent']).toBe('custom/2');
      expect(headers['x-trace']).toBe('t1');
      expect(headers.accept).toBe('application/json; q=1');
      expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
    });

    it.each(['Authorization', 'authorization', 'AUTHORIZATION'])(
      'refuses %j in defaultHeaders, pointing at apiKey, without echoing it',
      (name) => {
        const error = configError(() =>
          resolveOptions({ defaultHeaders: { [name]: `Bearer ${KEY}` } }, NO_ENV),
        );
        expect(error.option).toBe('defaultHeaders.authorization');
        expect(error.message).toContain('apiKey');
        expect(error.message).not.toContain(KEY);
      },
    );
  });

  // [where in the options, a bad value, the option the error names, words it must use]
  const BAD: Array<[string, unknown, string, string[]]> = [
    ['apiKey', 42, 'apiKey', ['a non-empty string']],
    ['apiKey', '', 'apiKey', ['a non-empty string']],
    ['apiKey', '   ', 'apiKey', ['a non-empty string']],
    ['apiKey', 'sk-a b', 'apiKey', ['whitespace']],
    ['baseURL', 'ftp://x.test', 'baseURL', ['http(s) URL']],
    ['organization', '', 'organization', ['a non-empty string']],
    ['organization', 7, 'organization', ['a non-empty string']],
    ['project', '', 'project', ['a non-empty string']],
    ['project', {}, 'project', ['a non-empty string']],
    ['timeout', 0, 'timeout', ['a positive number of milliseconds']],
    ['timeout', -1, 'timeout', ['a positive number of milliseconds']],
    ['timeout', Infinity, 'timeout', ['a positive number of milliseconds']],
    ['timeout', '5000', 'timeout', ['a positive number of milliseconds']],
    ['dispatcher', {}, 'dispatcher', ['undici Dispatcher']],
    ['dispatcher', 'agent', 'dispatcher', ['undici Dispatcher']],
    ['defaultHeaders', 'x-a: 1', 'defaultHeaders', ['an object of strings']],
    ['defaultHeaders', { 'x-a': 1 }, 'defaultHeaders.x-a', ['a string']],
    ['userAgent', '', 'userAgent', ['a non-empty string']],
    ['scheduler', {}, 'scheduler', ['SchedulerLike']],
    ['scheduler', { now: () => 0 }, 'scheduler', ['SchedulerLike']],
    ['maxRetries', -1, 'maxRetries', ['an integer ≥ 0']],
    ['maxRetries', 1.5, 'maxRetries', ['an integer ≥ 0']],
    ['maxRetries', Infinity, 'maxRetries', ['an integer ≥ 0']],
    ['initialRetryDelay', -1, 'initialRetryDelay', ['a non-negative number of milliseconds']],
    [
      'initialRetryDelay',
      Number.NaN,
      'initialRetryDelay',
      ['a non-negative number of milliseconds'],
    ],
    ['maxRetryDelay', -1, 'maxRetryDelay', ['a non-negative number of milliseconds']],
    ['maxRetryDelay', Infinity, 'maxRetryDelay', ['a non-negative number of milliseconds']],
    ['maxRetryAfter', -1, 'maxRetryAfter', ['a non-negative number of milliseconds']],
    ['deadline', 0, 'deadline', ['a positive number of milliseconds', 'Infinity']],
    ['deadline', -1, 'deadline', ['a positive number of milliseconds', 'Infinity']],
    ['onRetry', 'log', 'onRetry', ['a function']],
    ['random', 0.5, 'random', ['a function']],
    ['rateLimit', 'fast', 'rateLimit', ['an options object']],
    ['rateLimit', [], 'rateLimit', ['an options object']],
    ['rateLimit.maxConcurrency', 0, 'rateLimit.maxConcurrency', ['a positive integer']],
    ['rateLimit.maxConcurrency', 2.5, 'rateLimit.maxConcurrency', ['a positive integer']],
    ['rateLimit.requestsPerMinute', 0, 'rateLimit.requestsPerMinute', ['a positive number']],
    ['rateLimit.requestsPerMinute', Infinity, 'rateLimit.requestsPerMinute', ['a positive number']],
    ['rateLimit.adaptive', 'yes', 'rateLimit.adaptive', ['true or false']],
    ['rateLimit.retryBudget', 0, 'rateLimit.retryBudget', ['a positive integer', 'false']],
    ['rateLimit.retryBudget', true, 'rateLimit.retryBudget', ['a positive integer', 'false']],
    ['rateLimit.retryBudget', 1.5, 'rateLimit.retryBudget', ['a positive integer', 'false']],
    [
      'rateLimit.defaultCooldown',
      -1,
      'rateLimit.defaultCooldown',
      ['a non-negative number of milliseconds'],
    ],
    ['maxRetry', 3, 'maxRetry', ['Unknown option', 'maxRetries']],
    ['apikey', KEY, 'apikey', ['Unknown option', 'apiKey']],
    ['rateLimit.concurrency', 4, 'rateLimit.concurrency', ['Unknown option', 'maxConcurrency']],
  ];

  function withOption(path: string, value: unknown): Record<string, unknown> {
    const [head, sub] = path.split('.') as [string, string | undefined];
    return sub === undefined ? { [head]: value } : { [head]: { [sub]: value } };
  }

  describe('rejects a bad option with a ConfigError naming it and what it accepts', () => {
    it.each(BAD)('%s = %j', (path, value, option, words) => {
      const error = configError(() => resolveOptions(withOption(path, value), NO_ENV));
      expect(error.option).toBe(option);
      expect(error.message).toContain(option);
      for (const word of words) expect(error.message).toContain(word);
    });

    it('rejects options that are not an object', () => {
      for (const input of [null, 'x', 1, []]) {
        expect(configError(() => resolveOptions(input, NO_ENV)).option).toBe('options');
      }
    });

    it.each(['Infinity', 1])('accepts deadline %s', (deadline) => {
      const value = deadline === 'Infinity' ? Infinity : deadline;
      expect(resolveOptions({ deadline: value }, NO_ENV).retry.deadline).toBe(value);
    });
  });

  it('hides the password of a refused base URL in its ConfigError', () => {
    const error = configError(() =>
      resolveOptions({ baseURL: 'ftp://me:hunter2-secret@files.test/v1' }, NO_ENV),
    );
    expect(error.option).toBe('baseURL');
    expect(error.message).toContain('ftp://***@files.test/v1');
    expect(JSON.stringify(error)).not.toContain('hunter2-secret');
  });

  describe('never puts the API key in an error', () => {
    // Every bad option, with a valid key beside it: the key is not in the message nor the JSON.
    it.each(BAD.filter(([path]) => path !== 'apiKey'))('%s = %j', (path, value) => {
      const error = configError(() =>
        resolveOptions({ apiKey: KEY, ...withOption(path, value) }, NO_ENV),
      );
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
    });

    // The key itself malformed, from an option or from the environment.
    it.each<[string, unknown, Record<string, string>, string]>([
      ['a key with a space', { apiKey: `${KEY} x` }, {}, KEY],
      ['a key with a newline inside', { apiKey: `${KEY}\nx` }, {}, KEY],
      ['a key pasted twice', { apiKey: `${KEY} ${KEY}` }, {}, KEY],
      ['OPENAI_ADMIN_KEY with a space', {}, { OPENAI_ADMIN_KEY: `${KEY} x` }, KEY],
      ['OPENAI_API_KEY with a tab', {}, { OPENAI_API_KEY: `${KEY}\tx` }, KEY],
      ['a numeric key', { apiKey: 42_424_242_424_242 }, {}, '42424242424242'],
      ['an admin key with a space', { adminAPIKey: `${KEY} x` }, {}, KEY],
    ])('%s', (_name, options, env, secret) => {
      const error = configError(() => resolveOptions(options, env));
      expect(error.option).toBe(
        'adminAPIKey' in (options as object) || 'OPENAI_ADMIN_KEY' in env
          ? 'adminAPIKey'
          : 'apiKey',
      );
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String(error)).not.toContain(secret);
    });
  });
});
