import type { Dataset, DatasetCheckpoint, DatasetJob, DatasetProject } from './dataset.js';
import { generatePermissions, generateProjects } from './generate.js';
import { ConfigError } from '../../errors.js';
import { MAX_GENERATED_PERMISSIONS, MAX_SEEDED_CHECKPOINTS } from '../limits.js';
import { deriveSeed, mulberry32, pick, randomAlnum, randomInt, type Random } from './prng.js';

/**
 * The shape of a generated organisation.
 *
 * @example
 * seedOrganization({ seed: 7, jobs: 60, checkpointsPerJob: 5 }); // 300 checkpoints for a demo
 */
export interface SeedOptions {
  /** @default 1 */
  seed?: number;
  /** @default 6 */
  jobs?: number;
  /** Checkpoints in every job. @default 3 to 5, drawn per job */
  checkpointsPerJob?: number;
  /**
   * Size of the project pool that permissions are granted to (every tenth of them, from the
   * fourth, archived), besides the four projects that own the jobs. @default 50
   */
  projects?: number;
  /** Permissions on each "large" checkpoint. @default 250 */
  large?: number;
}

// Around page boundaries for the default limit of 10, plus one multi-page checkpoint. The first
// six checkpoints take these sizes, so every organisation of six or more checkpoints has them all.
const BOUNDARY_SIZES = [11, 0, 1, 9, 10, 'large'] as const;
const SMALL_SIZES = [0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 15, 19, 20, 21, 30] as const;
const MODELS = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'gpt-4.1-mini-2025-04-14'] as const;
const SUFFIXES = [
  'support-bot',
  'weather',
  'contract-review',
  'sql-helper',
  'triage',
  'translator',
  'summarizer',
] as const;
// The first job's suffix holds every character that must be percent-encoded in a path segment.
const AWKWARD_SUFFIX = 'q3 eval/50%#1?';
const ORG_SLUG = 'acme';
// 2024-07-23T20:00:00Z, the `created_at` of the job in the excerpt's example.
const EPOCH = 1721764800;
const DAY_S = 86_400;
// 2023-07-01T00:00:00Z: projects exist before any job.
const PROJECTS_CREATED_AT = 1688169600;
// Without `checkpointsPerJob`, each job draws 3 to this many checkpoints.
const MAX_DRAWN_CHECKPOINTS = 5;

/**
 * Generates a realistic organisation, fully spelled out (no counts), deterministic for a seed:
 * the same options give byte-identical JSON. It guarantees permission lists of 0, 1, 9, 10, 11
 * and `large` entries (with six or more checkpoints), repeated `created_at` seconds, and a first
 * job whose checkpoint names contain ` `, `/`, `%`, `#` and `?`. The newest job is `running`.
 *
 * @throws ConfigError for a negative or fractional count, more than 1,000,000 checkpoints in all
 *   (`MAX_SEEDED_CHECKPOINTS`), or `large` above 10,000,000 (`MAX_GENERATED_PERMISSIONS`).
 * @example
 * const dataset = seedOrganization({ seed: 1 });
 * dataset.jobs?.[0]?.checkpoints?.[0]?.fine_tuned_model_checkpoint;
 * // 'ft:…:acme:q3 eval/50%#1?:…:ckpt-step-…'
 */
export function seedOrganization(options: SeedOptions = {}): Dataset {
  const { seed = 1, jobs = 6, checkpointsPerJob, projects = 50, large = 250 } = options;
  for (const [name, value] of Object.entries({ seed, jobs, checkpointsPerJob, projects, large })) {
    if (value !== undefined && (!Number.isSafeInteger(value) || (name !== 'seed' && value < 0))) {
      throw new ConfigError(
        `organization.${name}`,
        `organization.${name} must be an integer >= 0, got ${JSON.stringify(value)}`,
      );
    }
  }
  checkSize(jobs, checkpointsPerJob, large);
  const random = mulberry32(seed);
  const pool = generateProjects(random, projects);
  const owners = owningProjects(mulberry32(deriveSeed(seed, 'owners')));
  const organizationId = `org-${randomAlnum(random, 24)}`;
  const sizeOf = (index: number): number => {
    const size = BOUNDARY_SIZES[index] ?? (index % 12 === 5 ? 'large' : pick(random, SMALL_SIZES));
    return size === 'large' ? large : size;
  };

  let createdAt = EPOCH;
  let checkpointIndex = 0;
  const seeded: DatasetJob[] = [];
  for (let j = 0; j < jobs; j++) {
    createdAt += randomInt(random, 1, 3) * DAY_S + randomInt(random, 0, 3600);
    const model = pick(random, MODELS);
    const suffix = j === 0 ? AWKWARD_SUFFIX : pick(random, SUFFIXES);
    const stepSize = pick(random, [10, 50, 100, 250]);
    const checkpoints: DatasetCheckpoint[] = [];
    let checkpointAt = createdAt;
    let tag = '';
    for (
      let i = 0, n = checkpointsPerJob ?? randomInt(random, 3, MAX_DRAWN_CHECKPOINTS);
      i < n;
      i++
    ) {
      checkpointAt += randomInt(random, 600, 1800);
      tag = randomAlnum(random, 8);
      const step = (i + 1) * stepSize;
      const permissions = generatePermissions(random, sizeOf(checkpointIndex++), {
        startAt: checkpointAt + 60,
        projects: pool,
      });
      checkpoints.push({
        id: `ftckpt_${randomAlnum(random, 24)}`,
        created_at: checkpointAt,
        fine_tuned_model_checkpoint: `ft:${model}:${ORG_SLUG}:${suffix}:${tag}:ckpt-step-${step}`,
        step_number: step,
        metrics: metricsAt(random, step),
        permissions: permissions.map(({ id, created_at, project_id }) => ({
          id,
          created_at,
          project_id,
        })),
      });
    }
    const running = j === jobs - 1 && jobs > 1;
    seeded.push({
      id: `ftjob-${randomAlnum(random, 24)}`,
      project_id: (owners[j % owners.length] as DatasetProject).id,
      model,
      created_at: createdAt,
      finished_at: running ? null : checkpointAt + 120,
      fine_tuned_model: running || !tag ? null : `ft:${model}:${ORG_SLUG}:${suffix}:${tag}`,
      organization_id: organizationId,
      result_files: running ? [] : [`file-${randomAlnum(random, 24)}`],
      status: running ? 'running' : 'succeeded',
      validation_file: random() < 0.5 ? null : `file-${randomAlnum(random, 24)}`,
      training_file: `file-${randomAlnum(random, 24)}`,
      hyperparameters: {
        n_epochs: randomInt(random, 1, 4),
        batch_size: pick(random, [1, 4, 8, 'auto']),
        learning_rate_multiplier: pick(random, [0.5, 1, 1.8, 2]),
      },
      trained_tokens: running ? null : randomInt(random, 10_000, 2_000_000),
      error: null,
      seed: randomInt(random, 0, 2 ** 31 - 1),
      metadata: random() < 0.5 ? null : { team: suffix },
      checkpoints,
    });
  }
  const grantedAt = seeded
    .flatMap((job) => job.checkpoints ?? [])
    .flatMap((checkpoint) =>
      typeof checkpoint.permissions === 'object' ? checkpoint.permissions : [],
    )
    .map((permission) => permission.created_at)
    .sort((a, b) => a - b);
  return {
    organization_id: organizationId,
    projects: [...owners, ...grantees(pool, mulberry32(deriveSeed(seed, 'pool')))],
    default_project_id: (owners[0] as DatasetProject).id,
    // The organization enabled audit logging halfway through its grants: the older half has no event.
    audit_log_since: grantedAt[Math.floor(grantedAt.length / 2)] ?? EPOCH,
    jobs: seeded,
  };
}

const OWNERS = ['Default project', 'Support', 'Research', 'Skunkworks'] as const;

/**
 * The four projects that own the jobs, round robin. The first three have a project key; the last
 * has none, so its jobs are invisible to anyone who discovers checkpoints with project keys.
 */
function owningProjects(random: Random): DatasetProject[] {
  return OWNERS.map((name, index) => ({
    id: `proj_${randomAlnum(random, 24)}`,
    name,
    created_at: PROJECTS_CREATED_AT + index * DAY_S,
    status: 'active',
    archived_at: null,
    api_key: index < 3 ? `sk-proj-${randomAlnum(random, 40)}` : null,
  }));
}

/** The pool the grants go to, named; every tenth from the fourth is archived. */
function grantees(pool: readonly string[], random: Random): DatasetProject[] {
  return pool.map((id, index) => {
    const createdAt = PROJECTS_CREATED_AT + randomInt(random, 5, 120) * DAY_S;
    const archived = index % 10 === 3;
    return {
      id,
      name: `${pick(random, TEAMS)} ${index + 1}`,
      created_at: createdAt,
      status: archived ? 'archived' : 'active',
      archived_at: archived ? createdAt + randomInt(random, 30, 90) * DAY_S : null,
    };
  });
}

const TEAMS = ['Partner', 'Contractor', 'Analytics', 'Sandbox', 'Eval', 'Pilot'] as const;

function metricsAt(random: Random, step: number): Record<string, number> {
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  const loss = (): number => round(0.1 + random() * 1.5);
  const accuracy = (): number => round(0.5 + random() * 0.49);
  return {
    step,
    train_loss: loss(),
    train_mean_token_accuracy: accuracy(),
    valid_loss: loss(),
    valid_mean_token_accuracy: accuracy(),
    full_valid_loss: loss(),
    full_valid_mean_token_accuracy: accuracy(),
  };
}

/** Refuses, before generating anything, an organization too big to hold in memory. */
function checkSize(jobs: number, checkpointsPerJob: number | undefined, large: number): void {
  const perJob = checkpointsPerJob ?? MAX_DRAWN_CHECKPOINTS;
  if (jobs * perJob > MAX_SEEDED_CHECKPOINTS) {
    const count = (n: number): string => n.toLocaleString('en-US');
    throw new ConfigError(
      'organization.jobs',
      `organization.jobs (${count(jobs)}) × organization.checkpointsPerJob ` +
        `(${checkpointsPerJob === undefined ? 'up to 5' : count(perJob)}) is ${count(jobs * perJob)} ` +
        `checkpoints, more than the limit of ${count(MAX_SEEDED_CHECKPOINTS)}: lower one of them.`,
    );
  }
  if (large > MAX_GENERATED_PERMISSIONS) {
    throw new ConfigError(
      'organization.large',
      `organization.large must be at most ${MAX_GENERATED_PERMISSIONS}, got ${large}`,
    );
  }
}
