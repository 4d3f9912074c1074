import { createClient, type Client } from '../client/create-client.js';
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
 * can fix reported up front, in one line, instead of at the first request.
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
  const options: ClientOptions = {};
  if (flags.apiKey) options.apiKey = flags.apiKey;
  if (flags.baseUrl) options.baseURL = flags.baseUrl;
  if (flags.concurrency !== undefined || flags.rpm !== undefined) {
    options.rateLimit = {};
    if (flags.concurrency !== undefined) options.rateLimit.maxConcurrency = flags.concurrency;
    if (flags.rpm !== undefined) options.rateLimit.requestsPerMinute = flags.rpm;
  }
  try {
    return createClient(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      const flag = error.option === 'baseURL' ? '--base-url (or OPENAI_BASE_URL)' : error.option;
      throw new CliError(ExitCode.Usage, `${error.message}. Fix ${flag}.`, { cause: error });
    }
    throw error;
  }
}
