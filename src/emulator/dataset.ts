import { readFile } from 'node:fs/promises';
import type { FineTuningJob } from './api-types.js';
import { DatasetError } from './dataset-error.js';
import { validateDataset } from './validate-dataset.js';

/**
 * The organisation an emulator serves, as JSON-serialisable data. Two forms combine freely:
 * `jobs` spells out jobs, their checkpoints and (optionally) each checkpoint's permissions;
 * `checkpoints` is the shorthand `{ name: count }` that generates `count` permissions per named
 * checkpoint, deterministically from the emulator's seed. The format is documented in
 * docs/emulator.md.
 *
 * @example
 * const dataset: Dataset = {
 *   jobs: [{ id: 'ftjob-abc123', created_at: 1721764800, checkpoints: [
 *     { fine_tuned_model_checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:bot:ab12CD34:ckpt-step-10',
 *       permissions: [{ id: 'cp_1', created_at: 1721764900, project_id: 'proj_a' }] },
 *   ] }],
 *   checkpoints: { 'ft:gpt-4o-mini-2024-07-18:acme:bench:XyZ12345:ckpt-step-1': 100_000 },
 * };
 */
export interface Dataset {
  /** @default 'org-emulator' */
  organization_id?: string;
  /**
   * The organization's projects, as ids or objects. Generated permissions are granted to these
   * first; more are invented when a count exceeds them. Every project a job or permission names
   * exists: those not listed are added, active and without a key.
   * @default 50 generated project ids
   */
  projects?: (string | DatasetProject)[];
  /**
   * The default project: it owns the jobs that name no project, and admin-key actions are
   * attributed to it in the audit log. @default a generated project named "Default project"
   */
  default_project_id?: string;
  /**
   * When the organization enabled audit logging (Unix seconds): grants made before it have no
   * event. `null`: grants in the dataset have none. @default null
   */
  audit_log_since?: number | null;
  jobs?: DatasetJob[];
  /** Shorthand: checkpoint name -> number of permissions to generate, under one synthetic job. */
  checkpoints?: Record<string, number>;
}

/**
 * A fine-tuning job in a dataset: the API's `FineTuningJob` fields, of which only `id` and
 * `created_at` are required (see docs/emulator.md for the defaults), plus its checkpoints.
 *
 * @example
 * const job: DatasetJob = { id: 'ftjob-abc123', created_at: 1721764800, status: 'succeeded' };
 */
export interface DatasetJob extends Partial<Omit<FineTuningJob, 'id' | 'created_at'>> {
  id: string;
  created_at: number;
  /** The project that owns the job and its checkpoints. @default the default project */
  project_id?: string;
  checkpoints?: DatasetCheckpoint[];
}

/**
 * A job checkpoint in a dataset; only its name is required. `permissions` is either the list of
 * permissions or how many to generate.
 *
 * @example
 * const checkpoint: DatasetCheckpoint = {
 *   fine_tuned_model_checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:bot:ab12CD34:ckpt-step-10',
 *   permissions: 11,
 * };
 */
export interface DatasetCheckpoint {
  fine_tuned_model_checkpoint: string;
  object?: 'fine_tuning.job.checkpoint';
  /** @default a stable `ftckpt_…` id derived from the name */
  id?: string;
  /** @default the job's `created_at` plus 10 minutes per checkpoint before it, plus 10 minutes */
  created_at?: number;
  /** @default the `N` of a trailing `ckpt-step-N`, else the checkpoint's position from 1 */
  step_number?: number;
  /** @default `{ step: step_number }` */
  metrics?: Record<string, number>;
  /** Must equal the enclosing job's id when given, so API objects can be pasted in as they are. */
  fine_tuning_job_id?: string;
  /** @default 0 */
  permissions?: DatasetPermission[] | number;
}

/**
 * A project in a dataset; only `id` is required. `api_key` issues it a project key (`sk-proj-…`):
 * without one, nobody can list its jobs. When no project of a dataset has a key, every project
 * that owns a job gets a generated one.
 *
 * @example
 * const project: DatasetProject = { id: 'proj_support', name: 'Support', api_key: 'sk-proj-support' };
 */
export interface DatasetProject {
  id: string;
  object?: 'organization.project';
  /** @default the id */
  name?: string;
  /** @default 2024-01-01T00:00:00Z */
  created_at?: number;
  /** @default 'active', or 'archived' when `archived_at` is set */
  status?: 'active' | 'archived';
  /** @default null (active), or `created_at` when `status` is 'archived' */
  archived_at?: number | null;
  /** @default no key */
  api_key?: string | null;
}

/**
 * A permission in a dataset: the API object, `object` optional.
 *
 * @example
 * const permission: DatasetPermission = { id: 'cp_1', created_at: 1721764900, project_id: 'proj_a' };
 */
export interface DatasetPermission {
  object?: 'checkpoint.permission';
  id: string;
  created_at: number;
  project_id: string;
}

/**
 * Builds the shorthand dataset for benchmarks: each named checkpoint gets `count` generated
 * permissions (deterministic for the emulator's seed).
 *
 * @example
 * await startEmulator({ dataset: datasetOf({ 'ft:gpt-4o-mini-2024-07-18:acme:bench:XyZ12345': 100_000 }) });
 */
export function datasetOf(counts: Record<string, number>, base: Dataset = {}): Dataset {
  return validateDataset({ ...base, checkpoints: { ...base.checkpoints, ...counts } });
}

/**
 * Reads a dataset from a JSON file and validates it.
 *
 * @throws DatasetError naming the file and the bad field.
 * @example
 * const dataset = await loadDataset('fixtures/org.json');
 */
export async function loadDataset(path: string): Promise<Dataset> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new DatasetError('', `${path}: cannot read the dataset: ${(error as Error).message}`);
  }
  try {
    return validateDataset(value);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    throw new DatasetError(error.path, `${path}: ${error.message}`);
  }
}
