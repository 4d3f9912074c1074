import type { Dataset } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { MAX_GENERATED_PERMISSIONS } from './limits.js';

/**
 * Checks that a value is a {@link Dataset}: field types, unknown fields (typos), and uniqueness
 * of job ids, checkpoint names and ids, and permission ids within a checkpoint. Returns it typed.
 *
 * @throws DatasetError naming the bad field, e.g. `jobs[0].checkpoints[2].permissions[7].created_at`.
 * @example
 * const dataset = validateDataset(JSON.parse(text));
 */
export function validateDataset(value: unknown): Dataset {
  DATASET(value, '');
  const dataset = value as Dataset;
  const jobIds = new Set<string>();
  const names = new Set<string>();
  const checkpointIds = new Set<string>();
  dataset.jobs?.forEach((job, j) => {
    unique(jobIds, job.id, `jobs[${j}].id`);
    job.checkpoints?.forEach((checkpoint, c) => {
      const at = `jobs[${j}].checkpoints[${c}]`;
      unique(names, checkpoint.fine_tuned_model_checkpoint, `${at}.fine_tuned_model_checkpoint`);
      if (checkpoint.id !== undefined) unique(checkpointIds, checkpoint.id, `${at}.id`);
      const jobId = checkpoint.fine_tuning_job_id;
      if (jobId !== undefined && jobId !== job.id) {
        fail(`${at}.fine_tuning_job_id`, JSON.stringify(job.id), jobId);
      }
      if (typeof checkpoint.permissions !== 'object') return;
      const ids = new Set<string>();
      checkpoint.permissions.forEach((permission, p) => {
        unique(ids, permission.id, `${at}.permissions[${p}].id`);
      });
    });
  });
  const projectIds = new Set<string>();
  const keys = new Set<string>();
  dataset.projects?.forEach((project, p) => {
    const id = typeof project === 'string' ? project : project.id;
    unique(projectIds, id, `projects[${p}]${typeof project === 'string' ? '' : '.id'}`);
    if (typeof project === 'string') return;
    if (project.api_key) {
      // Never echo a key, not even a duplicated one.
      const at = `projects[${p}].api_key`;
      if (keys.has(project.api_key)) throw new DatasetError(at, `${at} must be unique`);
      keys.add(project.api_key);
    }
    if (project.status === 'active' && typeof project.archived_at === 'number') {
      fail(`projects[${p}].archived_at`, 'null for an active project', project.archived_at);
    }
  });
  for (const name of Object.keys(dataset.checkpoints ?? {})) {
    unique(names, name, `checkpoints[${JSON.stringify(name)}]`);
  }
  return dataset;
}

/** Checks one value; `path` locates it for the error message. */
type Check = (value: unknown, path: string) => void;

const string: Check = (value, path) => {
  if (typeof value !== 'string' || value === '') fail(path, 'a non-empty string', value);
};

const count: Check = (value, path) => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(path, 'an integer >= 0', value);
};

const timestamp: Check = (value, path) => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    fail(path, 'a Unix timestamp in seconds (an integer >= 0)', value);
  }
};

const number: Check = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
};

const permissionCount: Check = (value, path) => {
  count(value, path);
  if ((value as number) > MAX_GENERATED_PERMISSIONS) {
    fail(path, `at most ${MAX_GENERATED_PERMISSIONS}`, value);
  }
};

const literal =
  (expected: string): Check =>
  (value, path) => {
    if (value !== expected) fail(path, JSON.stringify(expected), value);
  };

const oneOf =
  (allowed: readonly string[]): Check =>
  (value, path) => {
    if (!allowed.includes(value as string)) fail(path, `one of ${allowed.join(', ')}`, value);
  };

const nullable =
  (check: Check): Check =>
  (value, path) => {
    if (value !== null) check(value, path);
  };

const arrayOf =
  (check: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) fail(path || 'dataset', 'an array', value);
    value.forEach((item, i) => check(item, `${path}[${i}]`));
  };

/** An object whose values all pass `check` (metadata, metrics, the shorthand counts). */
const recordOf =
  (check: Check): Check =>
  (value, path) => {
    if (!isObject(value)) fail(path, 'an object', value);
    for (const [key, item] of Object.entries(value)) check(item, `${path}[${JSON.stringify(key)}]`);
  };

/** An object with these fields, the `required` ones present, and no others. */
const object =
  (fields: Record<string, Check>, required: readonly string[] = []): Check =>
  (value, path) => {
    if (!isObject(value)) fail(path || 'dataset', 'an object', value);
    const at = (key: string): string => (path ? `${path}.${key}` : key);
    for (const [key, item] of Object.entries(value)) {
      const check = fields[key];
      if (!check) {
        const known = Object.keys(fields).join(', ');
        throw new DatasetError(
          at(key),
          `${at(key)} is not a known field (expected one of ${known})`,
        );
      }
      if (item !== undefined) check(item, at(key));
    }
    for (const key of required) if (value[key] === undefined) fields[key]?.(undefined, at(key));
  };

const PERMISSION = object(
  {
    object: literal('checkpoint.permission'),
    id: string,
    created_at: timestamp,
    project_id: string,
  },
  ['id', 'created_at', 'project_id'],
);

const CHECKPOINT = object(
  {
    object: literal('fine_tuning.job.checkpoint'),
    id: string,
    created_at: timestamp,
    fine_tuned_model_checkpoint: string,
    step_number: count,
    metrics: recordOf(number),
    fine_tuning_job_id: string,
    permissions: (value, path) =>
      typeof value === 'number' ? permissionCount(value, path) : arrayOf(PERMISSION)(value, path),
  },
  ['fine_tuned_model_checkpoint'],
);

const PROJECT = object(
  {
    id: string,
    object: literal('organization.project'),
    name: string,
    created_at: timestamp,
    status: oneOf(['active', 'archived']),
    archived_at: nullable(timestamp),
    api_key: nullable(apiKey),
  },
  ['id'],
);

const JOB = object(
  {
    object: literal('fine_tuning.job'),
    id: string,
    project_id: string,
    created_at: timestamp,
    model: string,
    status: oneOf(['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled']),
    finished_at: nullable(timestamp),
    fine_tuned_model: nullable(string),
    organization_id: string,
    result_files: arrayOf(string),
    validation_file: nullable(string),
    training_file: string,
    hyperparameters: object({
      n_epochs: numberOrAuto,
      batch_size: numberOrAuto,
      learning_rate_multiplier: numberOrAuto,
    }),
    trained_tokens: nullable(count),
    error: nullable(object({ code: string, message: string, param: nullable(string) })),
    seed: count,
    metadata: nullable(recordOf(stringValue)),
    checkpoints: arrayOf(CHECKPOINT),
  },
  ['id', 'created_at'],
);

const DATASET = object({
  organization_id: string,
  projects: arrayOf((value, path) =>
    typeof value === 'string' ? string(value, path) : PROJECT(value, path),
  ),
  default_project_id: string,
  audit_log_since: nullable(timestamp),
  jobs: arrayOf(JOB),
  checkpoints: recordOf(permissionCount),
});

function apiKey(value: unknown, path: string): void {
  if (typeof value !== 'string' || !/^\S+$/.test(value)) {
    fail(path, 'a key without spaces, such as "sk-proj-…"', '(not shown)');
  }
}

function numberOrAuto(value: unknown, path: string): void {
  if (value !== 'auto') number(value, path);
}

function stringValue(value: unknown, path: string): void {
  if (typeof value !== 'string') fail(path, 'a string', value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80);
  throw new DatasetError(path, `${path} must be ${expected}, got ${got}`);
}

function unique(seen: Set<string>, value: string, path: string): void {
  if (seen.has(value)) {
    throw new DatasetError(
      path,
      `${path} must be unique, but ${JSON.stringify(value)} is repeated`,
    );
  }
  seen.add(value);
}
