import type {
  CheckpointPermission,
  FineTuningJob,
  FineTuningJobCheckpoint,
  Project,
} from './api-types.js';
import { AuditLog } from './audit-log.js';
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
  /** Every project, ascending by `(created_at, id)`. */
  readonly projects: readonly Project[];
  readonly defaultProjectId: string;
  readonly auditLog: AuditLog;
  /** Project id -> its project key. */
  readonly projectKeys: ReadonlyMap<string, string>;
  readonly #projects = new Map<string, Project>();
  readonly #jobOwners: ReadonlyMap<string, string>;
  readonly #checkpointOwners = new Map<string, string>();
  readonly #keyOwners = new Map<string, string>();
  readonly #jobs = new Map<string, FineTuningJob>();
  readonly #checkpoints = new Map<string, FineTuningJobCheckpoint[]>();
  readonly #checkpointsById = new Map<string, FineTuningJobCheckpoint>();
  readonly #tables = new Map<string, PermissionTable>();
  readonly #random: Random;

  constructor(org: Organization, random: Random) {
    this.organizationId = org.organizationId;
    this.#random = random;
    this.projects = [...org.projects].sort(compareKeys);
    for (const project of this.projects) this.#projects.set(project.id, project);
    this.defaultProjectId = org.defaultProjectId;
    this.#jobOwners = org.jobOwners;
    this.projectKeys = org.projectKeys;
    for (const [projectId, key] of org.projectKeys) this.#keyOwners.set(key, projectId);
    this.auditLog = new AuditLog(org.auditLogSince);
    const seeded = [...org.auditEvents].sort(
      (a, b) => a.effective_at - b.effective_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const event of seeded) this.auditLog.append(event, 0);
    this.jobs = [...org.jobs].sort(compareKeys);
    for (const job of this.jobs) {
      this.#jobs.set(job.id, job);
      this.#checkpoints.set(job.id, []);
    }
    for (const checkpoint of [...org.checkpoints].sort(compareKeys)) {
      this.#checkpoints.get(checkpoint.fine_tuning_job_id)?.push(checkpoint);
      this.#checkpointsById.set(checkpoint.id, checkpoint);
      const owner = org.jobOwners.get(checkpoint.fine_tuning_job_id);
      if (owner !== undefined)
        this.#checkpointOwners.set(checkpoint.fine_tuned_model_checkpoint, owner);
    }
    for (const [name, permissions] of org.permissions) {
      this.#tables.set(name, new PermissionTable(permissions));
    }
  }

  /** A project by id, archived or not. */
  project(id: string): Project | undefined {
    return this.#projects.get(id);
  }

  /** The project a job belongs to. */
  ownerOfJob(jobId: string): string | undefined {
    return this.#jobOwners.get(jobId);
  }

  /** The project that owns a checkpoint (by name): its job's. */
  ownerOfCheckpoint(checkpoint: string): string | undefined {
    return this.#checkpointOwners.get(checkpoint);
  }

  /** The project a project key belongs to, if it is one. */
  projectOfKey(key: string): string | undefined {
    return this.#keyOwners.get(key);
  }

  /** A fresh audit log event id: `audit_log-` and 24 letters or digits. */
  newEventId(): string {
    let id: string;
    do id = `audit_log-${randomAlnum(this.#random, 24)}`;
    while (this.auditLog.has(id));
    return id;
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
      projects: [...this.projects],
      defaultProjectId: this.defaultProjectId,
      jobOwners: Object.fromEntries(this.jobs.map((job) => [job.id, this.#jobOwners.get(job.id)])),
      owners: Object.fromEntries(this.#checkpointOwners),
      projectsWithKeys: this.projects
        .filter((project) => this.projectKeys.has(project.id))
        .map((project) => project.id),
      auditLogSince: this.auditLog.since,
      auditLog: this.auditLog.events(),
    }) as Truth;
  }
}
