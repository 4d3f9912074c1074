import type { FineTuningJob, JobsListResponse } from '../api-types.js';
import { listResponse, slicePage, type SortKey } from '../page.js';
import { invalidParam, notFound, type ApiProblem } from '../problem.js';
import { parseAfter, parseLimit } from '../query.js';
import type { Reply } from '../reply.js';
import type { Store } from '../store.js';

/**
 * `GET /v1/fine_tuning/jobs` for one project's key: that project's jobs only, newest first, 20 per page by default (excerpt default). The
 * response has no `first_id`/`last_id` (`ListPaginatedFineTuningJobsResponse`): clients pass the
 * last job's id as `after`. Supports the excerpt's `metadata[k]=v` filter and `metadata=null`.
 *
 * @throws ApiProblem 400 naming `limit` or `after`.
 * @example
 * listJobs(store, 'proj_abc', new URLSearchParams('limit=2'), 100);
 */
export function listJobs(
  store: Store,
  projectId: string,
  query: URLSearchParams,
  maxLimit: number,
): Reply {
  const limit = parseLimit(query, 20, maxLimit);
  const after = cursor(query, (id) => visibleJob(store, projectId, id), 'fine-tuning job');
  const metadata = metadataFilter(query);
  const page = slicePage(store.jobs, {
    after,
    limit,
    order: 'descending',
    filter: (job) => store.ownerOfJob(job.id) === projectId && (!metadata || metadata(job)),
  });
  const body: JobsListResponse = { object: 'list', data: page.data, has_more: page.has_more };
  return { status: 200, body, page: { permissions: false, items: page.data.length } };
}

/**
 * `GET /v1/fine_tuning/jobs/{fine_tuning_job_id}`, for the key of the job's project.
 *
 * @throws ApiProblem 404 for an unknown job or another project's.
 * @example
 * retrieveJob(store, 'proj_abc', 'ftjob-abc123');
 */
export function retrieveJob(store: Store, projectId: string, jobId: string): Reply {
  const job = visibleJob(store, projectId, jobId);
  if (!job) throw jobNotFound(jobId);
  return { status: 200, body: job };
}

/**
 * `GET /v1/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints`: newest (highest step) first, as in
 * the excerpt's example, 10 per page by default, with `first_id`/`last_id`.
 *
 * @throws ApiProblem 400 naming `limit` or `after`; 404 for an unknown job.
 * @example
 * listJobCheckpoints(store, 'proj_abc', 'ftjob-abc123', new URLSearchParams(), 100);
 */
export function listJobCheckpoints(
  store: Store,
  projectId: string,
  jobId: string,
  query: URLSearchParams,
  maxLimit: number,
): Reply {
  const limit = parseLimit(query, 10, maxLimit);
  const checkpoints = visibleJob(store, projectId, jobId) && store.checkpointsOf(jobId);
  if (!checkpoints) throw jobNotFound(jobId);
  const after = cursor(
    query,
    (id) => (store.checkpoint(id)?.fine_tuning_job_id === jobId ? store.checkpoint(id) : undefined),
    'checkpoint of this job',
  );
  const page = slicePage(checkpoints, { after, limit, order: 'descending' });
  return {
    status: 200,
    body: listResponse(page),
    page: { permissions: false, items: page.data.length },
  };
}

function cursor(
  query: URLSearchParams,
  find: (id: string) => SortKey | undefined,
  what: string,
): SortKey | undefined {
  const id = parseAfter(query);
  if (id === undefined) return undefined;
  const key = find(id);
  if (!key) {
    throw invalidParam('after', 'invalid_value', `Invalid 'after': no ${what} with ID '${id}'.`);
  }
  return key;
}

function metadataFilter(query: URLSearchParams): ((job: FineTuningJob) => boolean) | undefined {
  if (query.get('metadata') === 'null') return (job) => job.metadata === null;
  const wanted = [...query].flatMap(([name, value]) => {
    const key = /^metadata\[(.+)\]$/.exec(name)?.[1];
    return key === undefined ? [] : [[key, value] as const];
  });
  if (wanted.length === 0) return undefined;
  return (job) => wanted.every(([key, value]) => job.metadata?.[key] === value);
}

/** A job the project's key may see: its own project's. Others' are as if they did not exist. */
function visibleJob(store: Store, projectId: string, jobId: string): FineTuningJob | undefined {
  return store.ownerOfJob(jobId) === projectId ? store.job(jobId) : undefined;
}

function jobNotFound(jobId: string): ApiProblem {
  return notFound('fine_tuning_job_id', `Fine-tuning job '${jobId}' not found.`);
}
