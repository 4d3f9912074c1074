import type { ObservableInput } from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { ConfigError } from '../errors.js';
import type { Project } from '../resources/project.js';
import { compileAllowList, type AllowList, type AllowPolicy } from './allow-list.js';
import type { AuditRecord, Violation } from './audit-record.js';

/**
 * Where an earlier run stopped: what to skip and where to pick up.
 *
 * @example
 * ```ts
 * const resume: AuditProgress = {
 *   done: ['ft:…:ckpt-step-10'], // skipped
 *   cursors: { 'ft:…:ckpt-step-20': 'cp_zc4Q7MP6XxulcVzj4MZdwsAB' }, // continued after this page
 * };
 * auditPermissions$(checkpoints, { client, resume }); // usually: resume: journal.state
 * ```
 */
export interface AuditProgress {
  /** Checkpoints audited completely: skipped. */
  readonly done: Iterable<string>;
  /** The cursor after the last page committed, per checkpoint started but not finished. */
  readonly cursors: Readonly<Record<string, string>>;
  /** Checkpoints listed to their last page, whose revocations had not finished: not listed again. */
  readonly listed?: Iterable<string>;
  /**
   * Violations found on the committed pages of unfinished checkpoints: counted again, and
   * revoked (or reported, in a dry run) when their checkpoint's listing completes.
   */
  readonly violations?: Readonly<Record<string, readonly Violation[]>>;
}

/**
 * Options of `auditPermissions$` and `auditPermissions`.
 *
 * @example
 * ```ts
 * auditPermissions$(checkpoints, {
 *   client,
 *   concurrency: 4,
 *   allow: { projects: ['proj_platform'] },
 *   revoke: 'dry-run', // report what 'apply' would revoke, revoke nothing
 * });
 * ```
 */
export interface AuditOptions {
  /**
   * The client whose limiter paces every request of the audit.
   * @default a client from the environment, for the audit's lifetime
   */
  client?: Client;
  /**
   * Checkpoints audited at once, and revocations of one checkpoint sent at once. More than the
   * client's `rateLimit.maxConcurrency` only queues.
   * @default 8
   */
  concurrency?: number;
  /**
   * Permissions per page: fewer, larger pages spend less of the rate limit.
   * @default 100
   */
  limit?: number;
  /**
   * End the audit with the first checkpoint's error, instead of reporting it and going on.
   * @default false
   */
  failFast?: boolean;
  /**
   * The projects allowed; permissions outside it are reported as violations (`allowed: false`).
   * A misspelled key, or an allow-list that allows no project, is a `ConfigError`: see
   * `allowEmpty`.
   */
  allow?: AllowList;
  /**
   * Accept an `allow` that allows no project, making every permission a violation. Without it
   * such an allow-list is refused, since it is far more often a mistake (a typo in a key, an
   * empty file) than a wish to revoke everything.
   * @default false
   */
  allowEmpty?: boolean;
  /**
   * What to do with violations, after each checkpoint's listing: nothing, report what would be
   * revoked (`'dry-run'`), or revoke them through the client's limiter (`'apply'`).
   * @default false
   */
  revoke?: false | 'dry-run' | 'apply';
  /**
   * With `revoke: 'apply'`, the most permissions the audit deletes (each DELETE sent counts, over
   * the whole audit). Past it nothing more is revoked: the other violations are still reported, as
   * `revocation` records with `reason: 'budget-exhausted'`, and counted in the summary's
   * `overBudget`. A guard against an allow-list that is wrong in a way no check can see.
   * `Infinity` lifts it.
   * @default 100
   */
  maxRevocations?: number;
  /**
   * Your processing of each record. A checkpoint's next page is requested only when the records
   * of its previous page have been processed, so a slow consumer holds memory at
   * O(concurrency × page size) however many permissions there are.
   */
  process?: (record: AuditRecord) => ObservableInput<unknown>;
  /** Continue an earlier run (see `ProgressJournal`). */
  resume?: AuditProgress;
  /** Aborts the audit with `APIUserAbortError`. */
  signal?: AbortSignal;
  /**
   * The organization's projects (from `projects$` with `includeArchived: true`), or a map of
   * them by id: each permission record then carries its grantee's `project_name` and
   * `project_status`, and a grant to an archived project is flagged `archived` and counted.
   * @default none: names and statuses are `null`
   */
  projects?: Iterable<Project> | ReadonlyMap<string, Project>;
}

/** The options, checked and defaulted. */
export interface ResolvedAuditOptions {
  readonly client: Client | undefined;
  readonly concurrency: number;
  readonly limit: number;
  readonly failFast: boolean;
  readonly policy: AllowPolicy | undefined;
  readonly revoke: false | 'dry-run' | 'apply';
  /** Deletions allowed (`Infinity` unless revoking for real). */
  readonly maxRevocations: number;
  readonly process: ((record: AuditRecord) => ObservableInput<unknown>) | undefined;
  readonly done: ReadonlySet<string>;
  readonly cursors: Readonly<Record<string, string>>;
  readonly listed: ReadonlySet<string>;
  readonly carried: Readonly<Record<string, readonly Violation[]>>;
  readonly signal: AbortSignal | undefined;
  readonly projects: ReadonlyMap<string, Project> | undefined;
}

const KEYS = [
  'client',
  'concurrency',
  'limit',
  'failFast',
  'allow',
  'allowEmpty',
  'revoke',
  'maxRevocations',
  'process',
  'resume',
  'signal',
  'projects',
] as const;

/**
 * Checks audit options once, before anything is sent.
 *
 * @example
 * ```ts
 * resolveAuditOptions({ concurrency: 0 }); // ConfigError: concurrency must be a positive integer, got 0
 * ```
 */
export function resolveAuditOptions(input: unknown): ResolvedAuditOptions {
  const o = check.optionsObject('options', input);
  check.knownKeys('', o, KEYS);
  const revoke =
    o.revoke === undefined || o.revoke === false
      ? false
      : check.oneOf('revoke', o.revoke, ['dry-run', 'apply']);
  if (revoke && o.allow === undefined) {
    throw new ConfigError('revoke', 'revoke needs an allow-list (allow) to know what to revoke');
  }
  const resume = o.resume as AuditProgress | undefined;
  if (
    resume !== undefined &&
    (typeof resume !== 'object' || resume === null || typeof resume.cursors !== 'object')
  ) {
    throw new ConfigError(
      'resume',
      'resume must be { done: string[], cursors: { [checkpoint]: cursor } }, as ProgressJournal gives',
    );
  }
  return {
    client: o.client === undefined ? undefined : check.client(o.client),
    concurrency:
      o.concurrency === undefined ? 8 : check.positiveInteger('concurrency', o.concurrency),
    limit: o.limit === undefined ? 100 : check.positiveInteger('limit', o.limit),
    failFast: o.failFast === undefined ? false : check.boolean('failFast', o.failFast),
    policy:
      o.allow === undefined
        ? undefined
        : compileAllowList(o.allow as AllowList, {
            allowEmpty:
              o.allowEmpty === undefined ? false : check.boolean('allowEmpty', o.allowEmpty),
          }),
    revoke,
    maxRevocations:
      o.maxRevocations === undefined
        ? revoke === 'apply'
          ? 100
          : Infinity
        : o.maxRevocations === Infinity
          ? Infinity
          : check.positiveInteger('maxRevocations', o.maxRevocations),
    process: o.process === undefined ? undefined : check.callable('process', o.process),
    done: new Set(resume?.done ?? []),
    cursors: { ...resume?.cursors },
    listed: new Set(resume?.listed ?? []),
    carried: { ...resume?.violations },
    signal: o.signal === undefined ? undefined : check.signal(o.signal),
    projects: o.projects === undefined ? undefined : projectsById(o.projects),
  };
}

/** The `projects` option as a map by id, each project checked to have one. */
function projectsById(value: unknown): ReadonlyMap<string, Project> {
  const expected =
    'projects must be an iterable of projects (as projects$ lists them) or a Map of them by id';
  if (value instanceof Map) {
    for (const [id, project] of value as Map<unknown, unknown>) {
      checkProject(`projects.get(${JSON.stringify(id)})`, project);
    }
    return value as ReadonlyMap<string, Project>;
  }
  if (typeof value !== 'object' || value === null || !(Symbol.iterator in value)) {
    throw new ConfigError('projects', `${expected}, got ${value === null ? 'null' : typeof value}`);
  }
  const byId = new Map<string, Project>();
  let i = 0;
  for (const project of value as Iterable<unknown>) {
    const checked = checkProject(`projects[${i++}]`, project);
    byId.set(checked.id, checked);
  }
  return byId;
}

function checkProject(option: string, project: unknown): Project {
  const id = (project as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '') {
    throw new ConfigError(option, `${option} must be a project with an id (proj_…)`);
  }
  return project as Project;
}
