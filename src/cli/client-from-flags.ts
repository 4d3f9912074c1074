import { createClientIn, type Client } from '../client/create-client.js';
import type { ClientOptions } from '../client/client-options.js';
import { ENV } from '../client/resolve-options.js';
import { ConfigError } from '../errors.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** The connection flags every API command takes. */
export interface ConnectionFlags {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly concurrency?: number;
  readonly rpm?: number;
}

/**
 * A client for the command line: flags over environment variables, and the problems a human
 * can fix reported up front, in one line, instead of at the first request. The client reads `env`,
 * not `process.env`, so the environment checked is the environment used (they differ when
 * `main` runs inside a test).
 *
 * @example
 * ```ts
 * const client = clientFromFlags({ baseUrl: 'http://127.0.0.1:4010/v1' }, process.env);
 * ```
 */
export function clientFromFlags(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): Client {
  if (!flags.apiKey && !ENV.apiKey.some((name) => env[name]?.trim())) {
    throw new CliError(
      ExitCode.Config,
      `No API key. Set ${ENV.apiKey[0]} (an admin key: the permissions endpoints need one) or pass --api-key. ` +
        'To try without one, run: checkpoint-permissions demo',
    );
  }
  // Flags win; everything else (key, URL, organization, project) comes from `env` as the
  // library resolves it.
  const options: ClientOptions = {};
  if (flags.apiKey) options.apiKey = flags.apiKey;
  if (flags.baseUrl) options.baseURL = flags.baseUrl;
  if (flags.concurrency !== undefined || flags.rpm !== undefined) {
    options.rateLimit = {};
    if (flags.concurrency !== undefined) options.rateLimit.maxConcurrency = flags.concurrency;
    if (flags.rpm !== undefined) options.rateLimit.requestsPerMinute = flags.rpm;
  }
  try {
    return createClientIn(options, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      const { code, flag } = FLAG_OF[error.option] ?? { code: ExitCode.Usage, flag: error.option };
      throw new CliError(code, `${error.message}. Fix ${flag}.`, { cause: error });
    }
    throw error;
  }
}

/** The flag (or variable) a human fixes for each client option, and the exit code it earns. */
const FLAG_OF: Readonly<Record<string, { code: ExitCode; flag: string }>> = {
  baseURL: { code: ExitCode.Usage, flag: '--base-url (or OPENAI_BASE_URL)' },
  apiKey: { code: ExitCode.Config, flag: '--api-key (or OPENAI_ADMIN_KEY)' },
};
