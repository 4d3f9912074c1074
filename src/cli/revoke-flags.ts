import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** The flags that decide whether and how far a command revokes (`audit`, `watch`). */
export interface RevokeFlags {
  readonly allow?: string | undefined;
  readonly allowEmpty?: boolean | undefined;
  readonly revoke?: boolean | undefined;
  readonly apply?: boolean | undefined;
  readonly maxRevocations?: number | undefined;
}

/**
 * Refuses the combinations of the revoke flags that cannot mean what they say, before anything
 * is read or sent: the one owner of these rules for every command that revokes.
 *
 * @example
 * ```ts
 * checkRevokeFlags({ apply: true }); // CliError 64: --apply only makes sense with --revoke.
 * ```
 */
export function checkRevokeFlags(flags: RevokeFlags): void {
  if (flags.apply && !flags.revoke)
    throw new CliError(ExitCode.Usage, '--apply only makes sense with --revoke.');
  if (flags.revoke && !flags.allow)
    throw new CliError(ExitCode.Usage, '--revoke needs --allow FILE: the projects to keep.');
  if (flags.allowEmpty && !flags.allow)
    throw new CliError(ExitCode.Usage, '--allow-empty only makes sense with --allow FILE.');
  if (flags.maxRevocations !== undefined && !(flags.revoke && flags.apply))
    throw new CliError(
      ExitCode.Usage,
      '--max-revocations only makes sense with --revoke --apply: a dry run deletes nothing.',
    );
}
