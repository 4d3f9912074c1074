import type {
  AuditLogEvent,
  CheckpointPermission,
  FineTuningJob,
  FineTuningJobCheckpoint,
  Project,
} from './api-types.js';
import { ACTORS } from './audit-log.js';
import type { Dataset, DatasetCheckpoint, DatasetJob, DatasetProject } from './dataset.js';
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
  /** Every project, in any order: those listed, then those only named by a job or a grant. */
  projects: Project[];
  /** Where admin-key actions are attributed. */
  defaultProjectId: string;
  /** Job id -> the project that owns it. */
  jobOwners: Map<string, string>;
  /** Project id -> its project key, for the projects that have one. */
  projectKeys: Map<string, string>;
  /** When audit logging began (Unix seconds), or `null`. */
  auditLogSince: number | null;
  /** The events of the dataset's grants made since `auditLogSince`, in any order. */
  auditEvents: AuditLogEvent[];
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
  const listed: (string | DatasetProject)[] =
    dataset.projects ?? generateProjects(mulberry32(deriveSeed(seed, 'projects')), 50);
  const projectsById = new Map(listed.map((entry) => [idOf(entry), projectOf(entry)]));
  // Without one named, the organization has its own "Default project", apart from the grantees.
  const defaultProjectId =
    dataset.default_project_id ??
    `proj_${randomAlnum(mulberry32(deriveSeed(seed, 'default-project')), 24)}`;
  if (!projectsById.has(defaultProjectId)) {
    projectsById.set(defaultProjectId, { ...projectOf(defaultProjectId), name: 'Default project' });
  }
  const org: Organization = {
    organizationId,
    jobs: [],
    checkpoints: [],
    permissions: new Map(),
    projects: [],
    defaultProjectId,
    jobOwners: new Map(),
    projectKeys: new Map(),
    auditLogSince: dataset.audit_log_since ?? null,
    auditEvents: [],
  };

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
    const owner = job.project_id ?? defaultProjectId;
    org.jobOwners.set(job.id, owner);
    // Nobody can grant the owning project, so generated permissions never go to it.
    const grantees = [...projectsById.keys()].filter((id) => id !== owner);
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
              projects: grantees,
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

  // Every project a job or a grant names exists.
  const named = [defaultProjectId, ...org.jobOwners.values()];
  for (const permissions of org.permissions.values()) {
    for (const permission of permissions) named.push(permission.project_id);
  }
  for (const id of named) if (!projectsById.has(id)) projectsById.set(id, projectOf(id));
  org.projects = [...projectsById.values()];

  const keyed = listed.filter(
    (entry): entry is DatasetProject & { api_key: string } =>
      typeof entry !== 'string' && typeof entry.api_key === 'string',
  );
  if (keyed.length > 0) for (const entry of keyed) org.projectKeys.set(entry.id, entry.api_key);
  else {
    const keys = mulberry32(deriveSeed(seed, 'project-keys'));
    for (const owner of new Set([defaultProjectId, ...org.jobOwners.values()])) {
      org.projectKeys.set(owner, `sk-proj-${randomAlnum(keys, 40)}`);
    }
  }

  org.auditEvents = seededEvents(org, seed);
  return org;
}

/**
 * The `checkpoint.permission.created` events of the grants made since audit logging began: two
 * in three by the admin key (attributed to the default project), the rest by a colleague in the
 * dashboard (attributed to the checkpoint's owner).
 */
function seededEvents(org: Organization, seed: number): AuditLogEvent[] {
  const since = org.auditLogSince;
  if (since === null) return [];
  const random = mulberry32(deriveSeed(seed, 'audit-log'));
  const names = new Map(org.projects.map((project) => [project.id, project.name]));
  const ownerOf = new Map(
    org.checkpoints.map((c) => [
      c.fine_tuned_model_checkpoint,
      org.jobOwners.get(c.fine_tuning_job_id),
    ]),
  );
  const events: AuditLogEvent[] = [];
  for (const [checkpoint, permissions] of org.permissions) {
    for (const permission of permissions) {
      if (permission.created_at < since) continue;
      const byAdmin = events.length % 3 !== 2;
      const projectId = byAdmin
        ? org.defaultProjectId
        : (ownerOf.get(checkpoint) ?? org.defaultProjectId);
      events.push({
        id: `audit_log-${randomAlnum(random, 24)}`,
        type: 'checkpoint.permission.created',
        effective_at: permission.created_at,
        project: { id: projectId, name: names.get(projectId) ?? projectId },
        actor: structuredClone(byAdmin ? ACTORS.adminKey : ACTORS.dashboard),
        'checkpoint.permission.created': {
          id: permission.id,
          data: { project_id: permission.project_id, fine_tuned_model_checkpoint: checkpoint },
        },
      });
    }
  }
  return events;
}

// 2024-01-01T00:00:00Z: before every job of the generated organisation and the shorthand job.
const PROJECT_CREATED_AT = 1704067200;

function idOf(entry: string | DatasetProject): string {
  return typeof entry === 'string' ? entry : entry.id;
}

function projectOf(entry: string | DatasetProject): Project {
  const project = typeof entry === 'string' ? { id: entry } : entry;
  const createdAt = project.created_at ?? PROJECT_CREATED_AT;
  const archived =
    project.status === 'archived' || (project.status === undefined && project.archived_at != null);
  return {
    id: project.id,
    object: 'organization.project',
    name: project.name ?? project.id,
    created_at: createdAt,
    archived_at: archived ? (project.archived_at ?? createdAt) : null,
    status: archived ? 'archived' : 'active',
  };
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
