/**
 * OpenAI's "List checkpoint permissions" endpoint as RxJS streams: cursor pagination, retries,
 * one rate-limit-aware limiter per client, and backpressured bulk audits.
 *
 * @packageDocumentation
 */

// Client
export { createClient } from './client/create-client.js';
export type {
  Client,
  ClientEvent,
  ClientMetrics,
  LimiterStoreEvent,
  RequestOptions,
} from './client/create-client.js';
export type { ClientOptions } from './client/client-options.js';
export type { ConnectionOptions } from './client/connection-options.js';
export type { RetryOptions } from './client/retry-options.js';
export type { RateLimitOptions } from './client/rate-limit-options.js';
export type { ProjectKeys } from './client/credentials.js';
export type { RequestAuth } from './internal/http/send-request.js';

// Permissions
export { permissions$, permissionItems$ } from './resources/permissions.js';
export { permissionPages } from './resources/permission-pages.js';
export { createPermissions$, deletePermission$ } from './resources/write-permissions.js';
export type { WriteOptions } from './resources/write-permissions.js';
export type { ListPermissionsOptions } from './resources/list-options.js';
export type { Permission, PermissionPage, DeletedPermission } from './resources/permission.js';

// The organization
export { projects$ } from './resources/projects.js';
export type { ProjectsOptions } from './resources/projects.js';
export type { Project } from './resources/project.js';
export { auditLog$ } from './resources/audit-log.js';
export type { AuditLogQuery, AuditLogOptions } from './resources/audit-log.js';
export type { AuditLogEvent } from './resources/audit-log-event.js';

// Discovery
export { fineTuningJobs$, jobCheckpoints$ } from './resources/discovery.js';
export type { DiscoveryOptions } from './resources/discovery.js';
export { discoverCheckpoints$, allCheckpoints$ } from './audit/discover-checkpoints.js';
export type { DiscoverOptions } from './audit/discover-checkpoints.js';
export type {
  DiscoveryEvent,
  DiscoveredCheckpoint,
  DiscoveryCoverage,
  ProjectRef,
  ProjectFailure,
  SourceFailure,
} from './audit/discovery-event.js';
export type { FineTuningJob, FineTuningJobCheckpoint } from './resources/fine-tuning.js';

// Bulk audits
export { auditPermissions$ } from './audit/audit-permissions.js';
export { auditPermissions } from './audit/audit-iterable.js';
export type { AuditOptions, AuditProgress } from './audit/audit-options.js';
export type {
  AuditRecord,
  PermissionRecord,
  PageRecord,
  RevocationRecord,
  CheckpointRecord,
  CheckpointErrorRecord,
  ErrorDetails,
  AuditSummary,
  Violation,
} from './audit/audit-record.js';
export type { AllowList } from './audit/allow-list.js';
export { ProgressJournal } from './audit/progress-journal.js';
export type { JournalRun, JournalState } from './audit/progress-journal.js';

// Change feed
export { permissionChanges$ } from './audit/permission-changes.js';
export type {
  PermissionChange,
  PermissionGranted,
  PermissionRevoked,
  ChangesSynced,
  ChangeError,
  PermissionChangesOptions,
  PollOutcome,
} from './audit/permission-changes.js';
export type { WatchState, PendingRevocation } from './audit/change-state.js';

// Building blocks for custom requests and stores. Every module not re-exported here is internal:
// not API, free to change in any release.
export type { ListPage } from './internal/http/list-page.js';
export type { RequestSpec } from './internal/http/send-request.js';
export type { Query, QueryScalar } from './internal/http/url.js';
export type { RetryEvent } from './internal/retry/plan-retry.js';
export type { LimiterMode, LimiterState } from './internal/schedule/limiter.js';
export { redisStore } from './internal/schedule/store/redis-store.js';
export type {
  RedisStore,
  RedisStoreOptions,
  RedisStoreStats,
  RedisCommandSender,
  LimiterStoreWarning,
} from './internal/schedule/store/redis-store.js';
export type {
  LimiterStore,
  StoreCall,
  StoreDecision,
  Observation,
} from './internal/schedule/store/limiter-store.js';
export { REQUEST_CHANNEL, LIMITER_CHANNEL } from './internal/http/trace-channels.js';
export type { RequestTraceContext, LimiterTraceEvent } from './internal/http/trace-channels.js';

// Errors
export {
  CheckpointPermissionsError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  ProtocolError,
  ConfigError,
  ClientClosedError,
} from './errors.js';
export type {
  APIErrorBody,
  APIErrorInit,
  ErrorContext,
  ProtocolErrorInit,
  RateLimitBudget,
  RateLimitSignal,
  RequestSummary,
} from './errors.js';
