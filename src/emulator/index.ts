export { startEmulator } from './http/server.js';
export type { Emulator } from './http/server.js';
export type { EmulatorOptions } from './options.js';
export type { Assumptions } from './assumptions.js';
export { ApiProblem } from './http/problem.js';
export type { Reply } from './http/respond.js';
export type { ApiErrorBody } from './api-types.js';
export { MAX_DELAY_MS, MAX_GENERATED_PERMISSIONS, MAX_SEEDED_CHECKPOINTS } from './limits.js';
export type { RateLimitSettings } from './faults/rate-limit.js';
export { chaosEverywhere } from './faults/chaos.js';
export type { ChaosSettings, FaultKind } from './faults/chaos.js';
export type { EmulatorStats } from './http/stats.js';
export type { Truth } from './data/truth.js';
export { seedOrganization } from './data/seed.js';
export type { SeedOptions } from './data/seed.js';
export { DatasetError } from './data/dataset.js';
export { datasetOf, loadDataset, validateDataset } from './data/validate-dataset.js';
export type {
  Dataset,
  DatasetCheckpoint,
  DatasetJob,
  DatasetPermission,
  DatasetProject,
} from './data/dataset.js';
export type {
  AuditLogActor,
  AuditLogEvent,
  CheckpointPermission,
  Project,
  DeletedPermission,
  FineTuningHyperparameters,
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobStatus,
  JobsListResponse,
  ListResponse,
} from './api-types.js';
export { formatEmulatorBanner } from './banner.js';
