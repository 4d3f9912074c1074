import type { ErrorDetails } from './audit-record.js';

/**
 * What `discoverCheckpoints$` emits: each checkpoint found, once, then one `coverage` event.
 *
 * @example
 * ```ts
 * discoverCheckpoints$({ client }).subscribe((event: DiscoveryEvent) => {
 *   if (event.type === 'checkpoint') console.log(event.checkpoint, `(from the ${event.via})`);
 *   else console.warn(`${event.projectsWithoutKey.length} projects without a key`);
 * });
 * ```
 */
export type DiscoveryEvent = DiscoveredCheckpoint | DiscoveryCoverage;

/**
 * A checkpoint found, the first time it is found.
 *
 * @example
 * ```ts
 * const viaLog = (e: DiscoveredCheckpoint): boolean => e.via === 'audit-log';
 * ```
 */
export interface DiscoveredCheckpoint {
  readonly type: 'checkpoint';
  /** The checkpoint's model name (`fine_tuned_model_checkpoint`): what the audit takes. */
  readonly checkpoint: string;
  /**
   * Where it was found first: a `checkpoint.permission.created` event of the audit log, or the
   * jobs of a project that has a key.
   */
  readonly via: 'audit-log' | 'jobs';
}

/**
 * A project as coverage names it.
 *
 * @example
 * ```ts
 * const label = (p: ProjectRef): string => `${p.name ?? '(no name)'} (${p.id}, ${p.status ?? '?'})`;
 * ```
 */
export interface ProjectRef {
  readonly id: string;
  readonly name: string | null;
  /** `'active'`, `'archived'`, or `null` when the API did not say. */
  readonly status: string | null;
}

/**
 * The jobs of a project that could not be listed: the other projects went on.
 *
 * @example
 * ```ts
 * const line = (f: ProjectFailure): string => `${f.id ?? 'apiKey'}: ${f.error.message}`;
 * ```
 */
export interface ProjectFailure {
  /** The project, or `null` for the project of the client's `apiKey`, which is not known. */
  readonly id: string | null;
  readonly name: string | null;
  readonly error: ErrorDetails;
}

/**
 * A whole source that could not be read: the audit log, or the list of projects (without an
 * admin key, say: then `error.type` is `'ConfigError'`).
 *
 * @example
 * ```ts
 * const line = (f: SourceFailure): string => `${f.source} not read: ${f.error.message}`;
 * ```
 */
export interface SourceFailure {
  readonly source: 'audit-log' | 'projects';
  readonly error: ErrorDetails;
}

/**
 * What discovery could and could not see: the last event of `discoverCheckpoints$`. A checkpoint
 * is missed only if no grant of it is in the audit log (its grants all predate
 * `auditLogOldest`, or it has none) and its project is in `projectsWithoutKey` or
 * `projectsFailed`.
 *
 * @example
 * ```ts
 * if (coverage.projectsWithoutKey.length > 0) {
 *   const since = coverage.auditLogOldest === null ? 'ever' : new Date(coverage.auditLogOldest * 1000).toISOString();
 *   console.warn(`Grants before ${since} of checkpoints of ${coverage.projectsWithoutKey.map((p) => p.id).join(', ')} cannot be seen`);
 * }
 * ```
 */
export interface DiscoveryCoverage {
  readonly type: 'coverage';
  /** Every project of the organization (archived included), as listed with the admin key. */
  readonly projects: readonly ProjectRef[];
  /** Listed projects with no key in `projectKeys`: their jobs were not read. */
  readonly projectsWithoutKey: readonly ProjectRef[];
  /** Projects whose jobs (or job checkpoints) could not be listed, with why. */
  readonly projectsFailed: readonly ProjectFailure[];
  /** Whether the jobs of the client's `apiKey` (whose project is not known) were read. */
  readonly apiKeyUsed: boolean;
  /**
   * The `effective_at` (Unix seconds) of the oldest `checkpoint.permission.created` event read:
   * grants older than this are not in the audit log (it starts when the organization enabled
   * audit logging). `null` when the log has no such event, or was not read.
   */
  readonly auditLogOldest: number | null;
  /** Sources that could not be read at all. Empty when both were. */
  readonly sourcesFailed: readonly SourceFailure[];
}
