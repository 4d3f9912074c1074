import { describe, expect, it } from 'vitest';
import * as emulator from '../../src/emulator/index.js';
import * as library from '../../src/index.js';

// The public surface is what the docs teach. Pinned here, so that adding or removing a value is a
// deliberate diff of this list (and of the CHANGELOG), never a side effect of a refactor.
describe('the public surface', () => {
  it('rx-checkpoint-permissions exports exactly these values', () => {
    expect(Object.keys(library).sort()).toEqual([
      'APIConnectionError',
      'APIConnectionTimeoutError',
      'APIError',
      'APIUserAbortError',
      'AuthenticationError',
      'BadRequestError',
      'CheckpointPermissionsError',
      'ClientClosedError',
      'ConfigError',
      'ConflictError',
      'InternalServerError',
      'LIMITER_CHANNEL',
      'NotFoundError',
      'PermissionDeniedError',
      'ProgressJournal',
      'ProtocolError',
      'REQUEST_CHANNEL',
      'RateLimitError',
      'UnprocessableEntityError',
      'allCheckpoints$',
      'auditLog$',
      'auditPermissions',
      'auditPermissions$',
      'createClient',
      'createPermissions$',
      'deletePermission$',
      'discoverCheckpoints$',
      'fineTuningJobs$',
      'jobCheckpoints$',
      'permissionChanges$',
      'permissionItems$',
      'permissionPages',
      'permissions$',
      'projects$',
      'redisStore',
    ]);
  });

  // A test bed: start it, seed it, inject chaos, and catch what it throws (a bad dataset, or
  // `grant`/`revoke` refused as the API would). The bounds, `validateDataset`, `loadDataset` and
  // the CLI's banner are internal (see the comment atop src/emulator/index.ts).
  it('rx-checkpoint-permissions/emulator exports exactly these values', () => {
    expect(Object.keys(emulator).sort()).toEqual([
      'ApiProblem',
      'DatasetError',
      'chaosEverywhere',
      'datasetOf',
      'seedOrganization',
      'startEmulator',
    ]);
  });
});
