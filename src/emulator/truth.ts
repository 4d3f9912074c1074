import type {
  AuditLogEvent,
  CheckpointPermission,
  FineTuningJob,
  FineTuningJobCheckpoint,
  Project,
} from './api-types.js';

/**
 * The emulator's ground truth, in API shapes, for tests to compare what a client saw against.
 * It never holds a key: `projectsWithKeys` says which projects have one, `emulator.projectKeys`
 * (in code only) what they are.
 *
 * @example
 * const { jobs, checkpoints, permissions, owners } = emulator.truth();
 * permissions['ft:gpt-4o-mini-2024-07-18:acme:weather:ab12CD34:ckpt-step-10']?.length;
 */
export interface Truth {
  /** Newest first, as `GET /fine_tuning/jobs` lists them (for every project together). */
  jobs: FineTuningJob[];
  /** Every job checkpoint: job by job in `jobs` order, each job's newest first as its list returns them. */
  checkpoints: FineTuningJobCheckpoint[];
  /** Checkpoint name -> its live permissions in ascending `(created_at, id)` order. */
  permissions: Record<string, CheckpointPermission[]>;
  /** Every project, archived ones included, ascending by `(created_at, id)` as they are listed. */
  projects: Project[];
  /** The project admin-key actions are attributed to. */
  defaultProjectId: string;
  /** Job id -> the project that owns it. */
  jobOwners: Record<string, string>;
  /** Checkpoint name -> the project that owns it (its job's), which nobody can grant. */
  owners: Record<string, string>;
  /** The ids of the projects that have a project key, in `projects` order. */
  projectsWithKeys: string[];
  /** When audit logging began (Unix seconds); grants before it have no event. `null`: never before start. */
  auditLogSince: number | null;
  /** Every audit log event, newest first, including those the `auditLogDelayMs` fault still hides. */
  auditLog: AuditLogEvent[];
}
