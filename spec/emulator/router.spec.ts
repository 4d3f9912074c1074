import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/emulator/router.js';

const path = (p: string) => p.split('/');

describe('matchRoute', () => {
  it.each([
    ['GET', 'v1/fine_tuning/jobs', { operation: 'listJobs' }],
    ['GET', 'v1/fine_tuning/jobs/ftjob-1', { operation: 'retrieveJob', jobId: 'ftjob-1' }],
    [
      'GET',
      'v1/fine_tuning/jobs/ftjob-1/checkpoints',
      { operation: 'listJobCheckpoints', jobId: 'ftjob-1' },
    ],
    [
      'GET',
      'v1/fine_tuning/checkpoints/ft:x/permissions',
      { operation: 'listPermissions', checkpoint: 'ft:x' },
    ],
    [
      'POST',
      'v1/fine_tuning/checkpoints/ft:x/permissions',
      { operation: 'createPermissions', checkpoint: 'ft:x' },
    ],
    [
      'DELETE',
      'v1/fine_tuning/checkpoints/ft:x/permissions/cp_1',
      { operation: 'deletePermission', checkpoint: 'ft:x', permissionId: 'cp_1' },
    ],
  ])('%s /%s', (method, segments, expected) => {
    expect(matchRoute(method, path(segments))).toEqual(expected);
  });

  it.each([
    ['GET', 'v1/models'],
    ['GET', 'v2/fine_tuning/jobs'],
    ['POST', 'v1/fine_tuning/jobs'],
    ['DELETE', 'v1/fine_tuning/jobs/ftjob-1'],
    ['GET', 'v1/fine_tuning/jobs/'],
    ['GET', 'v1/fine_tuning/jobs/ftjob-1/events'],
    ['GET', 'v1/fine_tuning/jobs/ftjob-1/checkpoints/extra'],
    ['PUT', 'v1/fine_tuning/checkpoints/ft:x/permissions'],
    ['GET', 'v1/fine_tuning/checkpoints/ft:x/permissions/cp_1'],
    ['DELETE', 'v1/fine_tuning/checkpoints/ft:x/permissions/'],
    ['DELETE', 'v1/fine_tuning/checkpoints/ft:x/permissions'],
    ['GET', 'v1/fine_tuning/checkpoints//permissions'],
    ['GET', 'v1/fine_tuning/checkpoints/ft:x'],
    ['GET', 'v1/fine_tuning/checkpoints/ft:x/permissions/cp_1/more'],
  ])('%s /%s is not routed', (method, segments) => {
    expect(matchRoute(method, path(segments))).toBeUndefined();
  });
});
