import { createClientIn, type Client } from '../client/create-client.js';
import type { ClientOptions } from '../client/client-options.js';
import { ENV } from '../client/resolve-options.js';
import { ConfigError } from '../errors.js';
import type { LimiterStore } from '../internal/schedule/store/limiter-store.js';
import { redisStore, type LimiterStoreWarning } from '../internal/schedule/store/redis-store.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { howToRun } from './invocation.js';
import { readKeyFile, readProjectKeys, type Warn } from './key-files.js';
import { terminalSafe } from './terminal-text.js';

/** The connection flags every API command takes. */
export interface ConnectionFlags {
  readonly baseUrl?: string;
  /** `--admin-key`: the admin key (permissions, projects, audit log). */
  readonly adminKey?: string;
  /** `--admin-key-file`: a file holding the admin key (see `readKeyFile`). */
  readonly adminKeyFile?: string;
  /** `--api-key`: one project key, for the jobs of its project. */
  readonly apiKey?: string;
  /** `--project-keys`: a JSON file of project ids to project keys (see `readProjectKeys`). */
  readonly projectKeys?: string;
  readonly concurrency?: number;
  readonly rpm?: number;
  /** Ms one attempt may take (`--timeout`). */
  readonly timeout?: number;
  readonly maxRetries?: number;
  /** The Redis of a rate budget shared with other processes (`OPENAI_RATE_LIMIT_REDIS_URL`). */
  readonly redisUrl?: string;
}

/** The variable that gives `--redis-url`'s default. */
export const REDIS_URL_ENV = 'OPENAI_RATE_LIMIT_REDIS_URL';

/** A Redis store for `--redis-url`; a bad URL is a usage error naming the flag. */
function storeFor(url: string, onWarning: (warning: LimiterStoreWarning) => void): LimiterStore {
  try {
    return redisStore({ url, onWarning });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(ExitCode.Usage, `${error.message}. Fix --redis-url (or ${REDIS_URL_ENV}).`, {
      cause: error,
    });
  }
}

/**
 * A client for the command line: flags over environment variables, and the problems a human
 * can fix reported up front, in one line, instead of at the first request. The client reads `env`,
 * not `process.env`, so the environment checked is the environment used (they differ when
 * `main` runs inside a test). Key files are read here; their warnings go to `warn`.
 *
 * Every API command reads checkpoint permissions, which take an admin key only: without one the
 * run stops here (78), saying so, even when project keys were given (they open the fine-tuning
 * jobs endpoints only).
 *
 * @example
 * ```ts
 * const client = clientFromFlags({ baseUrl: 'http://127.0.0.1:4010/v1' }, process.env, (line) => process.stderr.write(line));
 * ```
 */
export function clientFromFlags(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
  warn: Warn,
): Client {
  const keys = keysFromFlags(flags, env, warn);
  // Flags win; everything else (keys, URL, organization, project) comes from `env` as the
  // library resolves it.
  const options: ClientOptions = {};
  if (keys.adminKey !== undefined) options.adminAPIKey = keys.adminKey;
  if (flags.apiKey) options.apiKey = flags.apiKey;
  if (keys.projectKeys !== undefined) options.projectKeys = keys.projectKeys;
  if (flags.baseUrl) options.baseURL = flags.baseUrl;
  if (flags.timeout !== undefined) options.timeout = flags.timeout;
  if (flags.maxRetries !== undefined) options.maxRetries = flags.maxRetries;
  const redisUrl = flags.redisUrl ?? env[REDIS_URL_ENV]?.trim();
  if (flags.concurrency !== undefined || flags.rpm !== undefined || redisUrl) {
    options.rateLimit = {};
    if (flags.concurrency !== undefined) options.rateLimit.maxConcurrency = flags.concurrency;
    if (flags.rpm !== undefined) options.rateLimit.requestsPerMinute = flags.rpm;
    // One budget with every other process on this key; if Redis goes away the client paces on
    // its own and says so, once each way (docs/shared-rate-limits.md).
    if (redisUrl) {
      options.rateLimit.store = storeFor(redisUrl, (w: LimiterStoreWarning) =>
        warn(`checkpoint-permissions: warning: ${terminalSafe(w.message)}\n`),
      );
    }
  }
  try {
    return createClientIn(options, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      const { code, flag } = flagOf(error.option);
      throw new CliError(code, `${error.message}. Fix ${flag}.`, { cause: error });
    }
    throw error;
  }
}

/**
 * Whether the client of these flags holds a project key of any kind (`--api-key`,
 * `OPENAI_API_KEY`, `--project-keys`): without one, discovery reads the audit log alone.
 *
 * @example
 * ```ts
 * hasProjectKeys({ projectKeys: 'keys.json' }, {}); // true
 * ```
 */
export function hasProjectKeys(
  flags: Pick<ConnectionFlags, 'apiKey' | 'projectKeys'>,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return Boolean(flags.apiKey || flags.projectKeys || ENV.apiKey.some((name) => env[name]?.trim()));
}

/**
 * The admin key of `--admin-key` or `--admin-key-file` (commander refuses both: see
 * `definitions/connection.ts`), the project keys of `--project-keys`.
 */
function keysFromFlags(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
  warn: Warn,
): { adminKey: string | undefined; projectKeys: Record<string, string> | undefined } {
  const adminKey =
    flags.adminKeyFile !== undefined ? readKeyFile(flags.adminKeyFile, warn) : flags.adminKey;
  const projectKeys =
    flags.projectKeys !== undefined ? readProjectKeys(flags.projectKeys, warn) : undefined;
  if (!adminKey && !ENV.adminAPIKey.some((name) => env[name]?.trim())) {
    throw new CliError(
      ExitCode.Config,
      hasProjectKeys(flags, env)
        ? `No admin key: the permission endpoints need an admin key, and a project key (--api-key, ${ENV.apiKey[0]}, --project-keys) only opens the fine-tuning jobs endpoints. ` +
            `Set ${ENV.adminAPIKey[0]} or pass --admin-key-file FILE (or --admin-key KEY).`
        : `No admin key. Set ${ENV.adminAPIKey[0]} (the permission endpoints need an admin key) or pass --admin-key-file FILE (or --admin-key KEY). ` +
            `To try without one, run: ${howToRun('demo')}`,
    );
  }
  return { adminKey, projectKeys };
}

/** The flag (or variable) a human fixes for each client option, and the exit code it earns. */
function flagOf(option: string): { code: ExitCode; flag: string } {
  if (option.startsWith('projectKeys'))
    return { code: ExitCode.DataError, flag: 'the file given to --project-keys' };
  return FLAG_OF[option] ?? { code: ExitCode.Usage, flag: option };
}

const FLAG_OF: Readonly<Record<string, { code: ExitCode; flag: string }>> = {
  baseURL: { code: ExitCode.Usage, flag: '--base-url (or OPENAI_BASE_URL)' },
  adminAPIKey: {
    code: ExitCode.Config,
    flag: '--admin-key, --admin-key-file or OPENAI_ADMIN_KEY',
  },
  apiKey: { code: ExitCode.Config, flag: '--api-key or OPENAI_API_KEY' },
  timeout: { code: ExitCode.Usage, flag: '--timeout' },
  maxRetries: { code: ExitCode.Usage, flag: '--max-retries' },
};
