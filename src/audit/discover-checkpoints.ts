import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  filter,
  map,
  merge,
  mergeMap,
  of,
  tap,
  type Observable,
} from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { ConfigError } from '../errors.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import { auditLog$ } from '../resources/audit-log.js';
import { PERMISSION_CREATED } from '../resources/audit-log-event.js';
import { fineTuningJobs$, jobCheckpoints$ } from '../resources/discovery.js';
import { projects$ } from '../resources/projects.js';
import { withClient } from '../resources/with-client.js';
import type {
  DiscoveredCheckpoint,
  DiscoveryCoverage,
  DiscoveryEvent,
  ProjectFailure,
  ProjectRef,
  SourceFailure,
} from './discovery-event.js';
import { errorDetails } from './error-details.js';

/**
 * Options of `discoverCheckpoints$` and `allCheckpoints$`.
 *
 * @example
 * ```ts
 * discoverCheckpoints$({ client, limit: 100, signal: AbortSignal.timeout(600_000) });
 * ```
 */
export interface DiscoverOptions {
  /**
   * The client whose keys decide what can be seen: its admin key reads the audit log and the
   * projects, its `projectKeys` (and `apiKey`) the jobs.
   * @default a client from the environment, per subscription
   */
  client?: Client;
  /**
   * Items per page of every list read (the organization lists take 1 to 100).
   * @default each API's default
   */
  limit?: number;
  /** Aborts discovery with `APIUserAbortError`. */
  signal?: AbortSignal;
}

/** Jobs, and job checkpoints, listed at once per project (the limiter paces them all anyway). */
const JOBS_AT_ONCE = 2;

/**
 * Every checkpoint of the organization that its keys can see, each once, then one `coverage`
 * event saying what could not be seen. The real API has no list of checkpoints; two paths find
 * them, and discovery takes their union:
 * 1. the audit log (admin key): every `checkpoint.permission.created` event names a checkpoint
 *    granted since the organization enabled audit logging;
 * 2. the jobs (then job checkpoints) of every project that has a key in `projectKeys` (projects
 *    listed with the admin key, archived ones included), and of the `apiKey`'s project.
 *
 * A failure on one project is recorded in the coverage and never stops the others; a source
 * that cannot be read at all (no admin key: neither the log nor the projects) is recorded too.
 * With only an admin key, the audit log alone is read and every project is "without a key".
 * Without an admin key and without an `apiKey`, there is nothing to read: a `ConfigError`.
 *
 * @example
 * ```ts
 * discoverCheckpoints$({ client }).subscribe((event) => {
 *   if (event.type === 'checkpoint') checkpoints.push(event.checkpoint);
 *   else for (const p of event.projectsWithoutKey) console.warn(`no key for ${p.id} (${p.name})`);
 * });
 * ```
 */
export function discoverCheckpoints$(options?: DiscoverOptions): Observable<DiscoveryEvent> {
  const o = check.optionsObject('options', options);
  check.knownKeys('', o, ['client', 'limit', 'signal']);
  const client = o.client === undefined ? undefined : check.client(o.client);
  const limit = o.limit === undefined ? undefined : check.positiveInteger('limit', o.limit);
  const signal = o.signal === undefined ? undefined : check.signal(o.signal);
  return withClient(client, (c) => defer(() => discover(c, limit))).pipe(abortOnSignal(signal));
}

/**
 * The model name of every checkpoint {@link discoverCheckpoints$} finds, without its coverage:
 * the input of an organization-wide audit. Use `discoverCheckpoints$` to know what it missed.
 *
 * @example
 * ```ts
 * auditPermissions$(allCheckpoints$({ client }), { client }).subscribe(console.log);
 * ```
 */
export function allCheckpoints$(options?: DiscoverOptions): Observable<string> {
  return discoverCheckpoints$(options).pipe(
    filter((event): event is DiscoveredCheckpoint => event.type === 'checkpoint'),
    map((event) => event.checkpoint),
  );
}

function discover(client: Client, limit: number | undefined): Observable<DiscoveryEvent> {
  const admin = client.hasCredential('admin');
  const apiKey = client.hasCredential('project');
  if (!admin && !apiKey) {
    throw new ConfigError(
      'adminAPIKey',
      'Discovery needs an admin key (adminAPIKey, OPENAI_ADMIN_KEY) to read the audit log and the ' +
        'projects, or a project key (apiKey, OPENAI_API_KEY) to read its jobs; the client has neither',
    );
  }
  const seen = new Set<string>();
  const found = (checkpoints: Iterable<string>, via: DiscoveredCheckpoint['via']) => {
    const fresh: DiscoveredCheckpoint[] = [];
    for (const checkpoint of checkpoints) {
      if (seen.has(checkpoint)) continue;
      seen.add(checkpoint);
      fresh.push({ type: 'checkpoint', checkpoint, via });
    }
    return fresh;
  };
  const projects: ProjectRef[] = [];
  const projectsWithoutKey: ProjectRef[] = [];
  const projectsFailed: ProjectFailure[] = [];
  const sourcesFailed: SourceFailure[] = [];
  let auditLogOldest: number | null = null;
  let apiKeyUsed = false;
  const sourceFailed =
    (source: SourceFailure['source']) =>
    (error: unknown): Observable<never> => {
      sourcesFailed.push({ source, error: errorDetails(error) });
      return EMPTY;
    };

  /** The checkpoints of every job of one project (`undefined`: the `apiKey`'s). */
  const jobs$ = (project: ProjectRef | undefined): Observable<DiscoveredCheckpoint> =>
    fineTuningJobs$({ client, project: project?.id, limit }).pipe(
      concatMap((page) => page.data),
      mergeMap(
        (job) =>
          jobCheckpoints$(job.id, { client, project: project?.id, limit }).pipe(
            concatMap((page) => found(checkpointNames(page.data), 'jobs')),
          ),
        JOBS_AT_ONCE,
      ),
      catchError((error: unknown) => {
        projectsFailed.push({
          id: project?.id ?? null,
          name: project?.name ?? null,
          error: errorDetails(error),
        });
        return EMPTY;
      }),
    );

  const fromAuditLog$ = auditLog$({ event_types: [PERMISSION_CREATED], limit }, { client }).pipe(
    concatMap((page) => {
      const names: string[] = [];
      for (const event of page.data) {
        const name = event[PERMISSION_CREATED]?.data?.fine_tuned_model_checkpoint;
        if (event.type !== PERMISSION_CREATED || name === undefined) continue;
        names.push(name);
        if (auditLogOldest === null || event.effective_at < auditLogOldest) {
          auditLogOldest = event.effective_at;
        }
      }
      return found(names, 'audit-log');
    }),
    catchError(sourceFailed('audit-log')),
  );

  const fromProjects$ = projects$({ client, includeArchived: true, limit }).pipe(
    concatMap((page) => page.data.map(projectRef)),
    tap((project) => projects.push(project)),
    catchError(sourceFailed('projects')),
    mergeMap((project) => {
      if (client.hasCredential({ project: project.id })) return jobs$(project);
      projectsWithoutKey.push(project);
      return EMPTY;
    }, JOBS_AT_ONCE),
  );

  const fromApiKey$ = apiKey
    ? concat(
        jobs$(undefined),
        defer(() => {
          apiKeyUsed = !projectsFailed.some((failure) => failure.id === null);
          return EMPTY;
        }),
      )
    : EMPTY;

  // Without an admin key the log and the projects still run: each fails at once with the
  // ConfigError naming adminAPIKey, before any request, and the coverage records it.
  return concat(
    merge(fromAuditLog$, fromProjects$, fromApiKey$),
    defer(() =>
      of<DiscoveryCoverage>({
        type: 'coverage',
        projects,
        projectsWithoutKey,
        projectsFailed,
        apiKeyUsed,
        auditLogOldest,
        sourcesFailed,
      }),
    ),
  );
}

function checkpointNames(data: readonly { fine_tuned_model_checkpoint: string }[]): string[] {
  return data.map((c) => c.fine_tuned_model_checkpoint);
}

function projectRef(project: {
  id: string;
  name?: string | null;
  status?: string | null;
}): ProjectRef {
  return { id: project.id, name: project.name ?? null, status: project.status ?? null };
}
