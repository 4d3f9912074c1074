import type { Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import type { ListPage } from '../internal/http/list-page.js';
import type { RequestAuth } from '../internal/http/send-request.js';
import {
  parseJobCheckpointsPage,
  parseJobsPage,
  type FineTuningJob,
  type FineTuningJobCheckpoint,
} from './fine-tuning.js';
import { listPages$, type ListPagesOptions } from './list-pages.js';
import { jobCheckpointsPath } from './paths.js';
import { withClient } from './with-client.js';

/**
 * Options of the fine-tuning jobs streams.
 *
 * @example
 * ```ts
 * fineTuningJobs$({ client, limit: 100 }); // 100 jobs a page instead of the API's 20
 * jobCheckpoints$('ftjob-abc123', { client, project: 'proj_platform', signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface DiscoveryOptions {
  /** @default a client from the environment, per subscription */
  client?: Client;
  /**
   * Items per page.
   * @default the API's default (20 jobs, 10 checkpoints)
   */
  limit?: number;
  /** Aborts the stream with `APIUserAbortError`. */
  signal?: AbortSignal;
  /**
   * The project whose jobs to list, with its key from the client's `projectKeys`. A project key
   * sees the jobs of its own project only.
   * @default the project of the client's `apiKey`
   */
  project?: string;
}

interface Resolved {
  client: Client | undefined;
  limit: number | undefined;
  signal: AbortSignal | undefined;
  auth: RequestAuth;
}

function resolve(input: unknown): Resolved {
  const o = check.optionsObject('options', input);
  check.knownKeys('', o, ['client', 'limit', 'signal', 'project']);
  return {
    client: o.client === undefined ? undefined : check.client(o.client),
    limit: o.limit === undefined ? undefined : check.positiveInteger('limit', o.limit),
    signal: o.signal === undefined ? undefined : check.signal(o.signal),
    auth:
      o.project === undefined ? 'project' : { project: check.nonEmptyString('project', o.project) },
  };
}

/**
 * Every fine-tuning job of one project, one page per emission (`GET /fine_tuning/jobs`, with a
 * project key: the client's `apiKey`, or `projectKeys[project]`). That list has no `last_id`:
 * its cursor is the last job's id.
 *
 * @example
 * ```ts
 * fineTuningJobs$({ client, project: 'proj_platform' })
 *   .pipe(concatMap((page) => page.data))
 *   .subscribe((job) => console.log(job.id, job.status));
 * ```
 */
export function fineTuningJobs$(options?: DiscoveryOptions): Observable<ListPage<FineTuningJob>> {
  const o = resolve(options);
  return withClient(o.client, (client) => jobsOf(client, o)).pipe(abortOnSignal(o.signal));
}

/**
 * Every checkpoint of one job, one page per emission (`GET /fine_tuning/jobs/{id}/checkpoints`),
 * with the key of the job's project (`project`, else the client's `apiKey`).
 *
 * @example
 * ```ts
 * jobCheckpoints$('ftjob-abc123', { client, project: 'proj_platform' })
 *   .subscribe((page) => console.log(page.data.length));
 * ```
 */
export function jobCheckpoints$(
  jobId: string,
  options?: DiscoveryOptions,
): Observable<ListPage<FineTuningJobCheckpoint>> {
  check.nonEmptyString('jobId', jobId);
  const o = resolve(options);
  return withClient(o.client, (client) => checkpointsOf(client, jobId, o)).pipe(
    abortOnSignal(o.signal),
  );
}

function jobsOf(client: Client, o: Resolved): Observable<ListPage<FineTuningJob>> {
  return listPages$(client, '/fine_tuning/jobs', parseJobsPage, pagesOptions(o));
}

function checkpointsOf(
  client: Client,
  jobId: string,
  o: Resolved,
): Observable<ListPage<FineTuningJobCheckpoint>> {
  return listPages$(client, jobCheckpointsPath(jobId), parseJobCheckpointsPage, pagesOptions(o));
}

function pagesOptions(o: Resolved): ListPagesOptions {
  return { auth: o.auth, query: { limit: o.limit } };
}
