import type { CheckpointPermission, FineTuningJob, FineTuningJobCheckpoint } from './api-types.js';
import type { Organization } from './materialize.js';
import { compareKeys } from './page.js';
import { PermissionTable } from './permission-table.js';
import { randomAlnum, type Random } from './prng.js';
import type { Truth } from './truth.js';

/**
 * The data one emulator serves: jobs and checkpoints (read-only) and one {@link PermissionTable}
 * per checkpoint. Every list is kept in ascending `(created_at, id)` order. Each emulator has its
 * own store, so two emulators in one process never share state.
 *
 * @example
 * const store = new Store(materialize(seedOrganization(), 1), mulberry32(1));
 * store.table('ft:…:ckpt-step-10')?.sorted.length;
 */
export class Store {
  readonly organizationId: string;
  readonly jobs: readonly FineTuningJob[];
  readonly #jobs = new Map<string, FineTuningJob>();
  readonly #checkpoints = new Map<string, FineTuningJobCheckpoint[]>();
  readonly #checkpointsById = new Map<string, FineTuningJobCheckpoint>();
  readonly #tables = new Map<string, PermissionTable>();
  readonly #random: Random;

  constructor(org: Organization, random: Random) {
    this.organizationId = org.organizationId;
    this.#random = random;
    this.jobs = [...org.jobs].sort(compareKeys);
    for (const job of this.jobs) {
      this.#jobs.set(job.id, job);
      this.#checkpoints.set(job.id, []);
    }
    for (const checkpoint of [...org.checkpoints].sort(compareKeys)) {
      this.#checkpoints.get(checkpoint.fine_tuning_job_id)?.push(checkpoint);
      this.#checkpointsById.set(checkpoint.id, checkpoint);
    }
    for (const [name, permissions] of org.permissions) {
      this.#tables.set(name, new PermissionTable(permissions));
    }
  }

  /** A job by id. */
  job(id: string): FineTuningJob | undefined {
    return this.#jobs.get(id);
  }

  /** A job's checkpoints, ascending; `undefined` for an unknown job. */
  checkpointsOf(jobId: string): readonly FineTuningJobCheckpoint[] | undefined {
    return this.#checkpoints.get(jobId);
  }

  /** A job checkpoint by its `ftckpt_` id. */
  checkpoint(id: string): FineTuningJobCheckpoint | undefined {
    return this.#checkpointsById.get(id);
  }

  /** The permissions of a checkpoint, by `fine_tuned_model_checkpoint` name. */
  table(checkpoint: string): PermissionTable | undefined {
    return this.#tables.get(checkpoint);
  }

  /** A fresh permission: `cp_` and 24 letters or digits, never used on this checkpoint. */
  newPermission(table: PermissionTable, projectId: string, now: number): CheckpointPermission {
    let id: string;
    do id = `cp_${randomAlnum(this.#random, 24)}`;
    while (table.has(id));
    return { object: 'checkpoint.permission', id, created_at: now, project_id: projectId };
  }

  /** A deep copy of everything served, in the orders documented on {@link Truth}. */
  truth(): Truth {
    const jobs = [...this.jobs].reverse();
    return structuredClone({
      jobs,
      checkpoints: jobs.flatMap((job) => [...(this.#checkpoints.get(job.id) ?? [])].reverse()),
      permissions: Object.fromEntries(
        [...this.#tables].map(([name, table]) => [name, [...table.sorted]]),
      ),
    });
  }
}
