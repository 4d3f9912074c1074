import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors.js';
import type { RetryEvent } from '../internal/retry/plan-retry.js';
import type { RetryPolicy } from '../internal/retry/retry-policy.js';
import type { LimiterOptions } from '../internal/schedule/limiter.js';
import { redactURL } from '../internal/http/redact.js';
import type { LimiterStore } from '../internal/schedule/store/limiter-store.js';
import { storeScope } from '../internal/schedule/store/store-scope.js';
import { checkKey, checkProjectKeys, KEY_ENV, type ProjectKeys } from './credentials.js';
import { VERSION } from './version.js';
import * as check from './validate.js';

/**
 * The environment variables read, in order of precedence, for each setting. Each kind of key
 * has its own variable, as in openai-node: one is never read as the other.
 */
export const ENV = {
  adminAPIKey: [KEY_ENV.admin],
  apiKey: [KEY_ENV.project],
  baseURL: ['OPENAI_BASE_URL'],
  organization: ['OPENAI_ORG_ID'],
  project: ['OPENAI_PROJECT_ID'],
} as const;

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * The default per-attempt `timeout`: 30 s. A page of 100 permissions is a few KiB and answers in
 * well under a second even under load; 30 s is dozens of times that, and bounds how long a
 * server that never answers, or drips a byte a second, holds one attempt.
 */
export const DEFAULT_TIMEOUT = 30_000;

/** The default of `maxResponseBytes`: 32 MiB, hundreds of times the largest page of 100. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** `maxResponseBytes` accepts 1 KiB to 256 MiB: a body is held as one string, whose size V8 caps. */
export const MAX_RESPONSE_BYTES_RANGE = [1024, 256 * 1024 * 1024] as const;
/** The most `maxRetries` accepts: beyond it a retry loop is a hang, not resilience. */
export const MAX_RETRIES = 1000;
/** The most `rateLimit.maxConcurrency` accepts. */
export const MAX_CONCURRENCY = 1024;

/** Every option with its value settled: what the rest of the client works from. */
export interface ResolvedOptions {
  readonly adminAPIKey: string | undefined;
  readonly apiKey: string | undefined;
  readonly projectKeys: ProjectKeys | undefined;
  readonly baseURL: string;
  /** Sent on every request: user agent, organization, project, then the user's defaults. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  /** The largest response body read, bytes (see `ConnectionOptions.maxResponseBytes`). */
  readonly maxResponseBytes: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly scheduler: SchedulerLike;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly retryBudget: number | false;
  readonly limiter: Omit<LimiterOptions, 'scheduler'>;
}

const CLIENT_KEYS = [
  'adminAPIKey',
  'apiKey',
  'projectKeys',
  'baseURL',
  'organization',
  'project',
  'timeout',
  'maxResponseBytes',
  'dispatcher',
  'defaultHeaders',
  'userAgent',
  'scheduler',
  'maxRetries',
  'initialRetryDelay',
  'maxRetryDelay',
  'maxRetryAfter',
  'deadline',
  'onRetry',
  'random',
  'rateLimit',
] as const;
const RATE_LIMIT_KEYS = [
  'maxConcurrency',
  'requestsPerMinute',
  'adaptive',
  'retryBudget',
  'defaultCooldown',
  'store',
] as const;

/**
 * Validates `createClient`'s options and settles every default, once, so that nothing deeper
 * re-checks or re-defaults. Unknown keys are errors (a typo must not be ignored). The key is
 * read here but its absence is not an error yet: that is reported at the first request.
 *
 * @example
 * ```ts
 * resolveOptions({ timeout: 5000 }, process.env).retry.maxRetries; // 6
 * ```
 */
export function resolveOptions(
  input: unknown,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedOptions {
  const o = check.optionsObject('options', input);
  check.knownKeys('', o, CLIENT_KEYS);
  const rl = check.optionsObject('rateLimit', o.rateLimit);
  check.knownKeys('rateLimit', rl, RATE_LIMIT_KEYS);

  const key = (option: 'adminAPIKey' | 'apiKey'): string | undefined => {
    if (o[option] !== undefined) return checkKey(option, o[option]);
    const value = fromEnv(env, ENV[option]);
    return value === undefined
      ? undefined
      : checkKey(option, value, `${ENV[option][0]} (${option})`);
  };
  const adminAPIKey = key('adminAPIKey');
  const apiKey = key('apiKey');
  const projectKeys = o.projectKeys === undefined ? undefined : checkProjectKeys(o.projectKeys);
  const baseURL = checkBaseURL(
    o.baseURL === undefined ? (fromEnv(env, ENV.baseURL) ?? DEFAULT_BASE_URL) : o.baseURL,
  );
  const organization = optional(o.organization, 'organization') ?? fromEnv(env, ENV.organization);
  const project = optional(o.project, 'project') ?? fromEnv(env, ENV.project);
  const userAgent =
    o.userAgent === undefined
      ? `rx-checkpoint-permissions/${VERSION} node/${process.versions.node}`
      : check.nonEmptyString('userAgent', o.userAgent);

  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
  if (organization) headers['openai-organization'] = organization;
  if (project) headers['openai-project'] = project;
  if (o.defaultHeaders !== undefined) {
    for (const [name, value] of Object.entries(
      check.stringRecord('defaultHeaders', o.defaultHeaders),
    )) {
      if (name.toLowerCase() === 'authorization') {
        throw new ConfigError(
          'defaultHeaders.authorization',
          'Set the keys with adminAPIKey, apiKey and projectKeys, not defaultHeaders.authorization',
        );
      }
      headers[name.toLowerCase()] = value;
    }
  }

  const maxRetryAfter = msOr('maxRetryAfter', o.maxRetryAfter, 60_000);
  return {
    adminAPIKey,
    apiKey,
    projectKeys,
    baseURL,
    headers,
    timeout:
      o.timeout === undefined
        ? DEFAULT_TIMEOUT
        : check.milliseconds('timeout', o.timeout, { positive: true }),
    maxResponseBytes:
      o.maxResponseBytes === undefined
        ? DEFAULT_MAX_RESPONSE_BYTES
        : check.integerIn('maxResponseBytes', o.maxResponseBytes, ...MAX_RESPONSE_BYTES_RANGE),
    dispatcher: o.dispatcher === undefined ? undefined : checkDispatcher(o.dispatcher),
    scheduler: o.scheduler === undefined ? asyncScheduler : checkScheduler(o.scheduler),
    retry: {
      maxRetries:
        o.maxRetries === undefined
          ? 6
          : check.nonNegativeInteger('maxRetries', o.maxRetries, MAX_RETRIES),
      initialRetryDelay: msOr('initialRetryDelay', o.initialRetryDelay, 500),
      maxRetryDelay: msOr('maxRetryDelay', o.maxRetryDelay, 8_000),
      maxRetryAfter,
      deadline:
        o.deadline === undefined
          ? Infinity
          : check.milliseconds('deadline', o.deadline, { positive: true, infinite: true }),
    },
    random: o.random === undefined ? Math.random : check.callable('random', o.random),
    onRetry: o.onRetry === undefined ? undefined : check.callable('onRetry', o.onRetry),
    retryBudget:
      rl.retryBudget === false
        ? false
        : rl.retryBudget === undefined
          ? 500
          : checkRetryBudget(rl.retryBudget),
    limiter: {
      maxConcurrency:
        rl.maxConcurrency === undefined
          ? 8
          : check.positiveInteger('rateLimit.maxConcurrency', rl.maxConcurrency, MAX_CONCURRENCY),
      requestsPerMinute:
        rl.requestsPerMinute === undefined
          ? undefined
          : check.positiveNumber('rateLimit.requestsPerMinute', rl.requestsPerMinute),
      adaptive: rl.adaptive === undefined ? true : check.boolean('rateLimit.adaptive', rl.adaptive),
      defaultCooldown: msOr('rateLimit.defaultCooldown', rl.defaultCooldown, 1_000),
      // A pause the retry policy would not wait out is not imposed on the other streams either.
      maxPause: maxRetryAfter,
      ...(rl.store === undefined
        ? {}
        : { store: checkStore(rl.store), scope: storeScope(organization, adminAPIKey ?? apiKey) }),
    },
  };
}

function fromEnv(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function optional(value: unknown, option: string): string | undefined {
  return value === undefined ? undefined : check.nonEmptyString(option, value);
}

function msOr(option: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : check.milliseconds(option, value);
}

function checkBaseURL(value: unknown): string {
  const text = check.nonEmptyString('baseURL', value).trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /[?#]/.test(text)) {
    throw new ConfigError(
      'baseURL',
      `baseURL must be an http(s) URL without query or fragment, such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(redactURL(text))}`,
    );
  }
  return text.replace(/\/+$/, '');
}

function checkDispatcher(value: unknown): Dispatcher {
  if (typeof (value as Dispatcher | null)?.dispatch === 'function') return value as Dispatcher;
  throw new ConfigError(
    'dispatcher',
    'dispatcher must be an undici Dispatcher (an Agent, Pool, ProxyAgent or MockAgent)',
  );
}

function checkScheduler(value: unknown): SchedulerLike {
  const s = value as SchedulerLike | null;
  if (typeof s?.now === 'function' && typeof s.schedule === 'function') return s;
  throw new ConfigError(
    'scheduler',
    'scheduler must be an RxJS SchedulerLike, such as asyncScheduler or a TestScheduler',
  );
}

function checkStore(value: unknown): LimiterStore {
  if (typeof (value as LimiterStore | null)?.decide === 'function') return value as LimiterStore;
  throw new ConfigError(
    'rateLimit.store',
    'rateLimit.store must be a limiter store, such as redisStore({ url: "redis://127.0.0.1:6379" })',
  );
}

function checkRetryBudget(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= check.MAX_SAFE)
    return value;
  throw new ConfigError(
    'rateLimit.retryBudget',
    `rateLimit.retryBudget must be a positive integer (1 to ${check.MAX_SAFE} tokens) or false (no budget), got ${typeof value === 'number' ? value : typeof value}`,
  );
}
