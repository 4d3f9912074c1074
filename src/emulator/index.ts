/**
 * The emulator as a test bed: what `rx-checkpoint-permissions/emulator` exports, and why.
 *
 * Public is what the guides (docs/emulator.md, docs/recipes/testing.md) teach a test to do:
 * - start it: `startEmulator`, its `EmulatorOptions` and the running `Emulator`;
 * - seed it: `seedOrganization` (the generated organisation, a dataset to edit) and `datasetOf`
 *   (checkpoint name → permission count), with the `Dataset` format;
 * - inject faults: `chaosEverywhere`, with `ChaosSettings` and `RateLimitSettings`;
 * - observe it: `truth()` and `stats()`, in the API's shapes;
 * - catch what it throws: `DatasetError` (a bad dataset) and `ApiProblem` (`emulator.grant` and
 *   `emulator.revoke` refused as the API would).
 *
 * The other types are here only because those signatures reach them (TypeDoc documents a type a
 * public signature names). Everything else (the delay and size bounds, `validateDataset`,
 * `loadDataset`, the CLI's banner) is internal: the CLI, specs and benchmarks import it from its
 * own module, never through this file.
 *
 * @example
 * const emulator = await startEmulator({ seed: 7, chaos: chaosEverywhere(0.1) });
 * emulator.truth().permissions; // checkpoint name -> its permissions
 * await emulator.close();
 *
 * @packageDocumentation
 */

// Start it
export { startEmulator } from './http/server.js';
export type { Emulator } from './http/server.js';
export type { EmulatorOptions } from './options.js';
export type { Assumptions } from './assumptions.js';

// Seed it
export { seedOrganization } from './data/seed.js';
export type { SeedOptions } from './data/seed.js';
export { datasetOf } from './data/validate-dataset.js';
export { DatasetError } from './data/dataset.js';
export type {
  Dataset,
  DatasetCheckpoint,
  DatasetJob,
  DatasetPermission,
  DatasetProject,
} from './data/dataset.js';

// Inject faults
export { chaosEverywhere } from './faults/chaos.js';
export type { ChaosSettings } from './faults/chaos.js';
export type { RateLimitSettings } from './faults/rate-limit.js';

// Observe it
export type { EmulatorStats } from './http/stats.js';
export type { Truth } from './data/truth.js';
export type {
  AuditLogActor,
  AuditLogEvent,
  CheckpointPermission,
  FineTuningHyperparameters,
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobStatus,
  Project,
} from './api-types.js';

// What `grant` and `revoke` throw
export { ApiProblem } from './http/problem.js';
export type { Reply } from './http/respond.js';
export type { ApiErrorBody } from './api-types.js';
