export { startEmulator } from './server.js';
export type { Emulator } from './server.js';
export type { EmulatorOptions } from './options.js';
export type { Assumptions } from './assumptions.js';
export { ApiProblem } from './problem.js';
export { MAX_DELAY_MS, MAX_GENERATED_PERMISSIONS, MAX_SEEDED_CHECKPOINTS } from './limits.js';
export type { RateLimitSettings } from './rate-limit.js';
export { chaosEverywhere } from './chaos.js';
export type { ChaosSettings, FaultKind } from './chaos.js';
export type { EmulatorStats } from './stats.js';
export type { Truth } from './truth.js';
export { seedOrganization } from './seed.js';
export type { SeedOptions } from './seed.js';
export { datasetOf, loadDataset } from './dataset.js';
export { DatasetError } from './dataset-error.js';
export { validateDataset } from './validate-dataset.js';
export type {
  Dataset,
  DatasetCheckpoint,
  DatasetJob,
  DatasetPermission,
  DatasetProject,
} from './dataset.js';
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
