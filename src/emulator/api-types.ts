/**
 * The wire shapes the emulator sends, as declared in the OpenAPI excerpt
 * (spec/fixtures/openai-openapi-excerpt.yaml). Key order follows the spec's examples.
 */

/**
 * A `checkpoint.permission` object (schema `FineTuningCheckpointPermission`).
 *
 * @example
 * const permission: CheckpointPermission = {
 *   object: 'checkpoint.permission',
 *   id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB',
 *   created_at: 1721764867,
 *   project_id: 'proj_abGMw1llN8IrBb6SvvY5A1iH',
 * };
 */
export interface CheckpointPermission {
  object: 'checkpoint.permission';
  id: string;
  created_at: number;
  project_id: string;
}

/**
 * A `fine_tuning.job.checkpoint` object (schema `FineTuningJobCheckpoint`).
 *
 * @example
 * const checkpoint: FineTuningJobCheckpoint = {
 *   object: 'fine_tuning.job.checkpoint',
 *   id: 'ftckpt_zc4Q7MP6XxulcVzj4MZdwsAB',
 *   created_at: 1721764867,
 *   fine_tuned_model_checkpoint: 'ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:96olL566:ckpt-step-2000',
 *   metrics: { full_valid_loss: 0.134, full_valid_mean_token_accuracy: 0.874 },
 *   fine_tuning_job_id: 'ftjob-abc123',
 *   step_number: 2000,
 * };
 */
export interface FineTuningJobCheckpoint {
  object: 'fine_tuning.job.checkpoint';
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  metrics: Record<string, number>;
  fine_tuning_job_id: string;
  step_number: number;
}

/**
 * A `fine_tuning.job` object. The excerpt omits its schema, so this is modelled on the example in
 * the excerpt's `GET /fine_tuning/jobs` response, plus the fields the official SDK's
 * `FineTuningJob` type requires (`error`, `finished_at`, `hyperparameters`, `seed`,
 * `trained_tokens`).
 *
 * @example
 * const job: FineTuningJob = {
 *   object: 'fine_tuning.job',
 *   id: 'ftjob-abc123',
 *   model: 'gpt-4o-mini-2024-07-18',
 *   created_at: 1721764800,
 *   finished_at: null,
 *   fine_tuned_model: null,
 *   organization_id: 'org-123',
 *   result_files: [],
 *   status: 'queued',
 *   validation_file: null,
 *   training_file: 'file-abc123',
 *   hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
 *   trained_tokens: null,
 *   error: null,
 *   seed: 42,
 *   metadata: { key: 'value' },
 * };
 */
export interface FineTuningJob {
  object: 'fine_tuning.job';
  id: string;
  model: string;
  created_at: number;
  finished_at: number | null;
  fine_tuned_model: string | null;
  organization_id: string;
  result_files: string[];
  status: FineTuningJobStatus;
  validation_file: string | null;
  training_file: string;
  hyperparameters: FineTuningHyperparameters;
  trained_tokens: number | null;
  error: { code: string; message: string; param: string | null } | null;
  seed: number;
  metadata: Record<string, string> | null;
}

/**
 * The lifecycle states of a fine-tuning job, as the official SDK types them.
 *
 * @example
 * const status: FineTuningJobStatus = 'succeeded';
 */
export type FineTuningJobStatus =
  'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * A job's hyperparameters: a number or `'auto'` each.
 *
 * @example
 * const hp: FineTuningHyperparameters = { n_epochs: 3, batch_size: 'auto', learning_rate_multiplier: 1.8 };
 */
export interface FineTuningHyperparameters {
  n_epochs: number | 'auto';
  batch_size: number | 'auto';
  learning_rate_multiplier: number | 'auto';
}

/**
 * A cursor page with `first_id`/`last_id` (`ListFineTuningCheckpointPermissionResponse`,
 * `ListFineTuningJobCheckpointsResponse`); both ids are `null` on an empty page.
 *
 * @example
 * const empty: ListResponse<CheckpointPermission> = {
 *   object: 'list', data: [], first_id: null, last_id: null, has_more: false,
 * };
 */
export interface ListResponse<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * The jobs page (`ListPaginatedFineTuningJobsResponse`): no `first_id`/`last_id`; clients use the
 * last item's id as the next cursor.
 *
 * @example
 * const page: JobsListResponse = { object: 'list', data: [], has_more: false };
 */
export interface JobsListResponse {
  object: 'list';
  data: FineTuningJob[];
  has_more: boolean;
}

/**
 * The delete response (`DeleteFineTuningCheckpointPermissionResponse`).
 *
 * @example
 * const deleted: DeletedPermission = {
 *   object: 'checkpoint.permission', id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', deleted: true,
 * };
 */
export interface DeletedPermission {
  object: 'checkpoint.permission';
  id: string;
  deleted: true;
}

/**
 * The error envelope (`ErrorResponse` wrapping `Error`): every field present, `param` and `code`
 * possibly null.
 *
 * @example
 * const body: ApiErrorBody = {
 *   error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: null },
 * };
 */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * An `organization.project` object (schema `Project` of the organization excerpt).
 *
 * @example
 * const project: Project = {
 *   id: 'proj_abc', object: 'organization.project', name: 'Support', created_at: 1711471533,
 *   archived_at: null, status: 'active',
 * };
 */
export interface Project {
  id: string;
  object: 'organization.project';
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
}

/**
 * Who did something, as the audit log records it (schema `AuditLogActor`): an API key (with the
 * user or service account that owns it) or a dashboard session.
 *
 * @example
 * const actor: AuditLogActor = {
 *   type: 'session',
 *   session: { user: { id: 'user-abc', email: 'ana@acme.example' }, ip_address: '203.0.113.7' },
 * };
 */
export type AuditLogActor =
  | {
      type: 'api_key';
      api_key: {
        id: string;
        type: 'user' | 'service_account';
        user?: { id: string; email: string };
        service_account?: { id: string };
      };
    }
  | { type: 'session'; session: { user: { id: string; email: string }; ip_address: string } };

/**
 * One audit log event for a checkpoint permission (schema `AuditLog`, pruned to the two checkpoint
 * permission event types): `created` carries the permission id and its payload, `deleted` the
 * permission id only.
 *
 * @example
 * const event: AuditLogEvent = {
 *   id: 'audit_log-abc', type: 'checkpoint.permission.deleted', effective_at: 1721764900,
 *   project: { id: 'proj_default', name: 'Default project' }, actor,
 *   'checkpoint.permission.deleted': { id: 'cp_abc' },
 * };
 */
export interface AuditLogEvent {
  id: string;
  type: 'checkpoint.permission.created' | 'checkpoint.permission.deleted';
  effective_at: number;
  project: { id: string; name: string };
  actor: AuditLogActor;
  'checkpoint.permission.created'?: {
    id: string;
    data: { project_id: string; fine_tuned_model_checkpoint: string };
  };
  'checkpoint.permission.deleted'?: { id: string };
}
