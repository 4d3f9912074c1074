import type { ListPage } from '../internal/http/list-page.js';
import { parseListPage } from '../internal/http/list-page.js';
import type { ShapeCheck } from '../internal/http/shape.js';

/**
 * A fine-tuning job, as far as discovery needs it. The spec excerpt omits the `FineTuningJob`
 * schema, so only the typed fields below (those of the list example) are checked; every other
 * field passes through untouched.
 *
 * @example
 * ```ts
 * fineTuningJobs$({ client }).pipe(
 *   concatMap((page) => page.data),
 *   filter((job: FineTuningJob) => job.status === 'succeeded'),
 * ).subscribe((job) => console.log(job.id, job.fine_tuned_model));
 * ```
 */
export interface FineTuningJob {
  readonly object: 'fine_tuning.job';
  readonly id: string;
  readonly created_at: number;
  readonly model: string;
  readonly status: string;
  readonly fine_tuned_model: string | null;
  readonly [field: string]: unknown;
}

/**
 * The spec's `FineTuningJobCheckpoint`: one usable checkpoint of a job.
 *
 * @example
 * ```ts
 * jobCheckpoints$('ftjob-abc123', { client })
 *   .pipe(concatMap((page) => page.data))
 *   .subscribe((c: FineTuningJobCheckpoint) =>
 *     console.log(`step ${c.step_number}: ${c.fine_tuned_model_checkpoint}`),
 *   );
 * ```
 */
export interface FineTuningJobCheckpoint {
  readonly object: 'fine_tuning.job.checkpoint';
  readonly id: string;
  readonly created_at: number;
  /** The checkpoint's model name: what the permissions endpoints take. */
  readonly fine_tuned_model_checkpoint: string;
  readonly fine_tuning_job_id: string;
  readonly step_number: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export function parseJob(item: unknown, path: string, check: ShapeCheck): FineTuningJob {
  const job = check.object(item, path);
  check.literal(job, 'object', 'fine_tuning.job', path);
  check.string(job, 'id', path);
  check.integer(job, 'created_at', path);
  check.string(job, 'model', path);
  check.string(job, 'status', path);
  check.optionalString(job, 'fine_tuned_model', path);
  return job as unknown as FineTuningJob;
}

/** Checks the fields the spec marks required. */
export function parseJobCheckpoint(
  item: unknown,
  path: string,
  check: ShapeCheck,
): FineTuningJobCheckpoint {
  const checkpoint = check.object(item, path);
  check.literal(checkpoint, 'object', 'fine_tuning.job.checkpoint', path);
  check.string(checkpoint, 'id', path);
  check.integer(checkpoint, 'created_at', path);
  check.string(checkpoint, 'fine_tuned_model_checkpoint', path);
  check.string(checkpoint, 'fine_tuning_job_id', path);
  check.integer(checkpoint, 'step_number', path);
  check.object(checkpoint.metrics, `${path}.metrics`);
  return checkpoint as unknown as FineTuningJobCheckpoint;
}

export const parseJobsPage = (
  body: unknown,
  requestID: string | undefined,
): ListPage<FineTuningJob> => parseListPage(body, requestID, parseJob);

export const parseJobCheckpointsPage = (
  body: unknown,
  requestID: string | undefined,
): ListPage<FineTuningJobCheckpoint> => parseListPage(body, requestID, parseJobCheckpoint);
