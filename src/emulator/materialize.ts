import type { CheckpointPermission, FineTuningJob, FineTuningJobCheckpoint } from './api-types.js';
import type { Dataset, DatasetCheckpoint, DatasetJob } from './dataset.js';
import { generatePermissions, generateProjects } from './generate.js';
import { deriveSeed, mulberry32, randomAlnum } from './prng.js';

/**
 * A dataset with every default applied and every generated permission drawn: what the store
 * serves.
 *
 * @example
 * const { jobs, checkpoints, permissions } = materialize(datasetOf({ 'ft:a': 3 }), 1);
 */
export interface Organization {
  organizationId: string;
  jobs: FineTuningJob[];
  checkpoints: FineTuningJobCheckpoint[];
  /** Checkpoint name -> its permissions, in any order. */
  permissions: Map<string, CheckpointPermission[]>;
}

const DEFAULT_MODEL = 'gpt-4o-mini-2024-07-18';
// 2024-07-23T20:00:00Z, the `created_at` of the job in the excerpt's example.
const SHORTHAND_CREATED_AT = 1721764800;
const CHECKPOINT_INTERVAL_S = 600;

/**
 * Applies the defaults documented in docs/emulator.md and generates the permissions a dataset
 * gives as counts. Each checkpoint draws from its own stream seeded by `(seed, name)`, so
 * appending a checkpoint to a dataset leaves the others' permissions unchanged.
 *
 * @example
 * materialize({ checkpoints: { 'ft:gpt-4o-mini-2024-07-18:acme:bench:XyZ12345': 1000 } }, 1);
 */
export function materialize(dataset: Dataset, seed: number): Organization {
  const organizationId = dataset.organization_id ?? 'org-emulator';
  const projects =
    dataset.projects ?? generateProjects(mulberry32(deriveSeed(seed, 'projects')), 50);
  const org: Organization = { organizationId, jobs: [], checkpoints: [], permissions: new Map() };

  const jobs = [...(dataset.jobs ?? [])];
  const shorthand = Object.entries(dataset.checkpoints ?? {});
  if (shorthand.length > 0) {
    jobs.push({
      id: `ftjob-${randomAlnum(mulberry32(deriveSeed(seed, 'shorthand-job')), 24)}`,
      created_at: SHORTHAND_CREATED_AT,
      checkpoints: shorthand.map(([name, count]) => ({
        fine_tuned_model_checkpoint: name,
        permissions: count,
      })),
    });
  }

  for (const job of jobs) {
    org.jobs.push(jobOf(job, organizationId));
    (job.checkpoints ?? []).forEach((entry, index) => {
      const checkpoint = checkpointOf(entry, index, job);
      org.checkpoints.push(checkpoint);
      const name = checkpoint.fine_tuned_model_checkpoint;
      const permissions = entry.permissions ?? 0;
      org.permissions.set(
        name,
        typeof permissions === 'number'
          ? generatePermissions(mulberry32(deriveSeed(seed, name)), permissions, {
              startAt: checkpoint.created_at + 60,
              projects,
            })
          : permissions.map(({ id, created_at, project_id }) => ({
              object: 'checkpoint.permission',
              id,
              created_at,
              project_id,
            })),
      );
    });
  }
  return org;
}

function jobOf(job: DatasetJob, organizationId: string): FineTuningJob {
  return {
    object: 'fine_tuning.job',
    id: job.id,
    model: job.model ?? DEFAULT_MODEL,
    created_at: job.created_at,
    finished_at: job.finished_at ?? null,
    fine_tuned_model: job.fine_tuned_model ?? null,
    organization_id: job.organization_id ?? organizationId,
    result_files: [...(job.result_files ?? [])],
    status: job.status ?? 'succeeded',
    validation_file: job.validation_file ?? null,
    training_file: job.training_file ?? 'file-emulator-training',
    hyperparameters: {
      n_epochs: 'auto',
      batch_size: 'auto',
      learning_rate_multiplier: 'auto',
      ...job.hyperparameters,
    },
    trained_tokens: job.trained_tokens ?? null,
    error: job.error ? { ...job.error } : null,
    seed: job.seed ?? 0,
    metadata: job.metadata ? { ...job.metadata } : null,
  };
}

function checkpointOf(
  entry: DatasetCheckpoint,
  index: number,
  job: DatasetJob,
): FineTuningJobCheckpoint {
  const name = entry.fine_tuned_model_checkpoint;
  const step = entry.step_number ?? Number(/ckpt-step-(\d+)$/.exec(name)?.[1] ?? index + 1);
  return {
    object: 'fine_tuning.job.checkpoint',
    // Derived from the name alone, so the id is stable whatever else the dataset holds.
    id: entry.id ?? `ftckpt_${randomAlnum(mulberry32(deriveSeed(0, name)), 24)}`,
    created_at: entry.created_at ?? job.created_at + (index + 1) * CHECKPOINT_INTERVAL_S,
    fine_tuned_model_checkpoint: name,
    metrics: { ...(entry.metrics ?? { step }) },
    fine_tuning_job_id: job.id,
    step_number: step,
  };
}
