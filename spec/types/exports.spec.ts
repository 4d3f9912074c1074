import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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

  // Types are surface too: a type a user imports breaks their build when it goes. Every name an
  // entry point exports, less its values, read by the compiler (re-exports and aliases included).
  const source = (path: string): string =>
    fileURLToPath(new URL(`../../src/${path}`, import.meta.url));
  const program = ts.createProgram([source('index.ts'), source('emulator/index.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const typeNames = (file: string, values: object): string[] => {
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(source(file))!)!;
    const valueNames = new Set(Object.keys(values));
    return checker
      .getExportsOfModule(module)
      .map((symbol) => symbol.name)
      .filter((name) => !valueNames.has(name))
      .sort();
  };

  it('rx-checkpoint-permissions exports exactly these types', () => {
    expect(typeNames('index.ts', library)).toEqual([
      'APIErrorBody',
      'APIErrorInit',
      'AllowList',
      'AuditLogEvent',
      'AuditLogOptions',
      'AuditLogQuery',
      'AuditOptions',
      'AuditProgress',
      'AuditRecord',
      'AuditSummary',
      'ChangeError',
      'ChangesSynced',
      'CheckpointErrorRecord',
      'CheckpointRecord',
      'Client',
      'ClientEvent',
      'ClientMetrics',
      'ClientOptions',
      'ConnectionOptions',
      'DeletedPermission',
      'DiscoverOptions',
      'DiscoveredCheckpoint',
      'DiscoveryCoverage',
      'DiscoveryEvent',
      'DiscoveryOptions',
      'ErrorContext',
      'ErrorDetails',
      'FineTuningJob',
      'FineTuningJobCheckpoint',
      'JournalRun',
      'JournalState',
      'LimiterMode',
      'LimiterState',
      'LimiterStore',
      'LimiterStoreEvent',
      'LimiterStoreWarning',
      'LimiterTraceEvent',
      'ListPage',
      'ListPermissionsOptions',
      'Observation',
      'PageRecord',
      'PendingRevocation',
      'Permission',
      'PermissionChange',
      'PermissionChangesOptions',
      'PermissionGranted',
      'PermissionPage',
      'PermissionRecord',
      'PermissionRevoked',
      'PollOutcome',
      'Project',
      'ProjectFailure',
      'ProjectKeys',
      'ProjectRef',
      'ProjectsOptions',
      'ProtocolErrorInit',
      'Query',
      'QueryScalar',
      'RateLimitBudget',
      'RateLimitOptions',
      'RateLimitSignal',
      'RedisCommandSender',
      'RedisStore',
      'RedisStoreOptions',
      'RedisStoreStats',
      'RequestAuth',
      'RequestOptions',
      'RequestSpec',
      'RequestSummary',
      'RequestTraceContext',
      'RetryEvent',
      'RetryOptions',
      'RevocationRecord',
      'SourceFailure',
      'StoreCall',
      'StoreDecision',
      'Violation',
      'WatchState',
      'WriteOptions',
    ]);
  });

  it('rx-checkpoint-permissions/emulator exports exactly these types', () => {
    expect(typeNames('emulator/index.ts', emulator)).toEqual([
      'ApiErrorBody',
      'Assumptions',
      'AuditLogActor',
      'AuditLogEvent',
      'ChaosSettings',
      'CheckpointPermission',
      'Dataset',
      'DatasetCheckpoint',
      'DatasetJob',
      'DatasetPermission',
      'DatasetProject',
      'Emulator',
      'EmulatorOptions',
      'EmulatorStats',
      'FineTuningHyperparameters',
      'FineTuningJob',
      'FineTuningJobCheckpoint',
      'FineTuningJobStatus',
      'Project',
      'RateLimitSettings',
      'Reply',
      'SeedOptions',
      'Truth',
    ]);
  });
});
