import {
  APIConnectionError,
  APIError,
  CheckpointPermissionsError,
  ConfigError,
  ProtocolError,
} from '../errors.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** The client options that are keys: a missing or bad one is a configuration problem (78). */
const KEY_OPTIONS = /^(adminAPIKey|apiKey|projectKeys)\b/;

/**
 * The exit code and the one line to print for an error that ended the run. A library error's
 * message is a sentence without its final period (see `errors.ts`): it gets exactly one here.
 *
 * @example
 * ```ts
 * describe(new CliError(ExitCode.Usage, '--apply only makes sense with --revoke.'));
 * // { code: 64, message: '--apply only makes sense with --revoke.' }
 * ```
 */
export function describe(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof ConfigError) {
    return {
      code: KEY_OPTIONS.test(error.option) ? ExitCode.Config : ExitCode.Usage,
      message: `${error.message}.`,
    };
  }
  if (error instanceof APIConnectionError && error.request) {
    // Which server could not be reached is the first thing to check.
    const { method, url } = error.request;
    return { code: ExitCode.CheckpointFailed, message: `${error.message} (${method} ${url}).` };
  }
  if (error instanceof APIError) {
    const hint =
      error.status === 401 || error.status === 403
        ? ' Check the key: the permission endpoints need an admin key (OPENAI_ADMIN_KEY), the jobs endpoints a project key.'
        : '';
    return {
      code:
        error.status === 401 || error.status === 403 ? ExitCode.Config : ExitCode.CheckpointFailed,
      message: `${error.message}.${hint}`,
    };
  }
  if (error instanceof ProtocolError) {
    // Most often not the API misbehaving but a URL that leads to some other server.
    return {
      code: ExitCode.CheckpointFailed,
      message: `${error.message}. Check that --base-url (or OPENAI_BASE_URL) points at the OpenAI API.`,
    };
  }
  if (error instanceof CheckpointPermissionsError)
    return { code: ExitCode.CheckpointFailed, message: `${error.message}.` };
  return {
    code: ExitCode.Software,
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  };
}
