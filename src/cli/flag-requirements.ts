/**
 * The flags that need another flag to mean anything, checked in code, here, for every command.
 *
 * Flags that cannot go *together* are declared on their commander `Option` (`.conflicts()`, see
 * `definitions/`), so commander refuses them before an action runs. A flag that *needs* another
 * cannot be declared: commander has no "requires"; `.implies()` sets the other flag's value, so
 * `--apply` implying `--revoke` would turn a mistyped dry run into deletions instead of refusing
 * it. (`.implies()` serves where the value is a default: `--metrics-port` implies
 * `--metrics-host 127.0.0.1`.) These run first in each handler, before anything is read or sent.
 */
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
 * Refuses the revoke flags that are given without what they need (`audit`, `watch`).
 *
 * @example
 * ```ts
 * checkRevokeFlags({ apply: true }); // CliError 64: --apply only makes sense with --revoke.
 * ```
 */
export function checkRevokeFlags(flags: RevokeFlags): void {
  if (flags.apply && !flags.revoke) usage('--apply only makes sense with --revoke.');
  if (flags.revoke && !flags.allow) usage('--revoke needs --allow FILE: the projects to keep.');
  if (flags.allowEmpty && !flags.allow) usage('--allow-empty only makes sense with --allow FILE.');
  if (flags.maxRevocations !== undefined && !(flags.revoke && flags.apply))
    usage('--max-revocations only makes sense with --revoke --apply: a dry run deletes nothing.');
}

/** The flags of a resumable run (`audit`). */
export interface ResumeFlags {
  readonly resume?: boolean | undefined;
  readonly state?: string | undefined;
  readonly format?: string | undefined;
}

/**
 * Refuses a `--resume` without the `--state` it continues, or in a format that cannot be
 * continued. (`--format html` is a value, not a flag: `.conflicts()` could not name it either.)
 *
 * @example
 * ```ts
 * checkResumeFlags({ resume: true }); // CliError 64: --resume needs --state FILE: …
 * ```
 */
export function checkResumeFlags(flags: ResumeFlags): void {
  if (flags.resume && !flags.state)
    usage('--resume needs --state FILE: the state of the run to resume.');
  if (flags.resume && flags.format === 'html')
    usage(
      '--format html writes the whole report at the end, so it cannot --resume: resume with --format jsonl.',
    );
}

/** The rate-limit flags of `emulator`. */
export interface RateLimitFlags {
  readonly rpm?: number | undefined;
  readonly burst?: number | undefined;
}

/**
 * Refuses a `--burst` without the `--rpm` limit it belongs to (it would be ignored).
 *
 * @example
 * ```ts
 * checkRateLimitFlags({ burst: 5 }); // CliError 64: --burst only makes sense with --rpm N: …
 * ```
 */
export function checkRateLimitFlags(flags: RateLimitFlags): void {
  if (flags.burst !== undefined && flags.rpm === undefined)
    usage('--burst only makes sense with --rpm N: without a rate limit there is no burst.');
}

/** The metrics flags of `watch`. */
export interface MetricsFlags {
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
}

/**
 * Refuses a `--metrics-host` without the `--metrics-port` that starts the server (it would be
 * ignored, and nothing would listen where the user expects). `--metrics-port` implies the host,
 * so it is never missing when a port is given.
 *
 * @example
 * ```ts
 * checkMetricsFlags({ metricsHost: '0.0.0.0' }); // CliError 64: --metrics-host only makes sense …
 * ```
 */
export function checkMetricsFlags(flags: MetricsFlags): void {
  if (flags.metricsHost !== undefined && flags.metricsPort === undefined)
    usage(
      '--metrics-host only makes sense with --metrics-port N: no metrics server listens without it.',
    );
}

function usage(message: string): never {
  throw new CliError(ExitCode.Usage, message);
}
