import type { CheckpointPermission, FineTuningJob, FineTuningJobCheckpoint } from './api-types.js';

/**
 * The emulator's ground truth, in API shapes, for tests to compare what a client saw against.
 *
 * @example
 * const { jobs, checkpoints, permissions } = emulator.truth();
 * permissions['ft:gpt-4o-mini-2024-07-18:acme:weather:ab12CD34:ckpt-step-10']?.length;
 */
export interface Truth {
  /** Newest first, as `GET /fine_tuning/jobs` lists them. */
  jobs: FineTuningJob[];
  /** Every job checkpoint: job by job in `jobs` order, each job's newest first as its list returns them. */
  checkpoints: FineTuningJobCheckpoint[];
  /** Checkpoint name -> its live permissions in ascending `(created_at, id)` order. */
  permissions: Record<string, CheckpointPermission[]>;
}
