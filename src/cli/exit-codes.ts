/**
 * The exit codes of `checkpoint-permissions`. 0–3 describe the audit; 64 and above are the
 * BSD `sysexits.h` codes for runs that could not start.
 */
export const ExitCode = {
  /** Every checkpoint was audited and no permission broke the allow-list. */
  Clean: 0,
  /** Every checkpoint was audited, and some permissions are outside the allow-list. */
  Violations: 1,
  /** At least one checkpoint could not be audited (it wins over 1). */
  CheckpointFailed: 2,
  /**
   * `--revoke --apply` spent its `--max-revocations` budget: some violations were left in place
   * (2 wins over it; it wins over 1).
   */
  RevocationBudget: 3,
  /** Bad command line: unknown option, bad value, missing argument. */
  Usage: 64,
  /** An input file (checkpoints, allow-list, state) is malformed. */
  DataError: 65,
  /** An input file cannot be read. */
  NoInput: 66,
  /** An unexpected internal error (a bug: please report it with --debug output). */
  Software: 70,
  /** The output cannot be written. */
  IOError: 74,
  /** Missing or rejected credentials, or another configuration problem. */
  Config: 78,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
