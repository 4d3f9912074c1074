export { startEmulator } from './server.js';
export type { Emulator } from './server.js';
export type { EmulatorOptions } from './options.js';
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
export type { Dataset, DatasetCheckpoint, DatasetJob, DatasetPermission } from './dataset.js';
export type {
  CheckpointPermission,
  DeletedPermission,
  FineTuningHyperparameters,
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobStatus,
  JobsListResponse,
  ListResponse,
} from './api-types.js';
export { formatEmulatorBanner } from './banner.js';
