import { readFileSync, statSync } from 'node:fs';
import { createClientIn, type Client } from '../client/create-client.js';
import type { ClientOptions } from '../client/client-options.js';
import { ENV } from '../client/resolve-options.js';
import { ConfigError } from '../errors.js';
import { CliError, fileErrorReason } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { howToRun } from './invocation.js';

/** The connection flags every API command takes. */
export interface ConnectionFlags {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  /** Read by `main` (see {@link readKeyFile}) into `apiKey` before the command runs. */
  readonly adminKeyFile?: string;
  readonly concurrency?: number;
  readonly rpm?: number;
  /** Ms one attempt may take (`--timeout`). */
  readonly timeout?: number;
  readonly maxRetries?: number;
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
      `No API key. Set ${ENV.apiKey[0]} (an admin key: the permissions endpoints need one) or pass --admin-key-file FILE (or --api-key). ` +
        `To try without one, run: ${howToRun('demo')}`,
    );
  }
  // Flags win; everything else (key, URL, organization, project) comes from `env` as the
  // library resolves it.
  const options: ClientOptions = {};
  if (flags.apiKey) options.apiKey = flags.apiKey;
  if (flags.baseUrl) options.baseURL = flags.baseUrl;
  if (flags.timeout !== undefined) options.timeout = flags.timeout;
  if (flags.maxRetries !== undefined) options.maxRetries = flags.maxRetries;
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
  apiKey: { code: ExitCode.Config, flag: '--api-key, --admin-key-file or OPENAI_ADMIN_KEY' },
  timeout: { code: ExitCode.Usage, flag: '--timeout' },
  maxRetries: { code: ExitCode.Usage, flag: '--max-retries' },
};

/**
 * Reads the key of `--admin-key-file`: the file's text without its trailing newline (or spaces),
 * so that `echo "$KEY" > key` works. A key given in a file stays out of `ps` and of the shell's
 * history, unlike `--api-key`. As ssh does for private keys, a file that group or others may
 * read gets a one-line warning through `warn` (the key is still used): anyone on the machine
 * could take it.
 *
 * @example
 * ```ts
 * const key = readKeyFile('~/.config/openai/admin-key', (line) => process.stderr.write(line));
 * ```
 */
export function readKeyFile(path: string, warn: (line: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      ExitCode.NoInput,
      `Cannot read ${path}: ${fileErrorReason(error, 'no such file')}. Check the path given to --admin-key-file.`,
      { cause: error },
    );
  }
  const key = text.replace(/\s+$/, '');
  if (key === '' || /[\r\n]/.test(key)) {
    throw new CliError(
      ExitCode.Config,
      `${path} ${key === '' ? 'is empty' : 'holds more than one line'}: --admin-key-file needs a file holding only the admin key.`,
    );
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    warn(
      `checkpoint-permissions: warning: ${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); anyone on this machine may read the key. Run: chmod 600 ${path}\n`,
    );
  }
  return key;
}
