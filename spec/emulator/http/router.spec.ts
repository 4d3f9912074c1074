import { describe, expect, it } from 'vitest';
import { matchRoute, splitPath } from '../../../src/emulator/http/router.js';

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

const awkward = 'ft:gpt-4o-mini-2024-07-18:acme:q3 eval/50%#1?:abc123:ckpt-step-10';

describe('splitPath', () => {
  it.each([
    ['/v1/fine_tuning/jobs', ['v1', 'fine_tuning', 'jobs']],
    ['/v1/fine_tuning/jobs/', ['v1', 'fine_tuning', 'jobs', '']],
    ['/v1/a%2Fb/c', ['v1', 'a/b', 'c']],
    ['/v1/a%3Fb%23c%25d%20e', ['v1', 'a?b#c%d e']],
    ['/v1/ft:raw:colons', ['v1', 'ft:raw:colons']],
    ['/v1/%E2%9C%93', ['v1', '✓']],
    [
      `/v1/fine_tuning/checkpoints/${encodeURIComponent(awkward)}/permissions`,
      ['v1', 'fine_tuning', 'checkpoints', awkward, 'permissions'],
    ],
  ])('splits %s', (raw, expected) => {
    expect(splitPath(raw)).toEqual(expected);
  });

  it('decodes the way the official SDK encodes: colons raw, / as %2F, space as %20', () => {
    // openai/internal/utils/path.js: str.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g, encodeURIComponent)
    const sdkEncoded = awkward.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g, encodeURIComponent);
    expect(sdkEncoded).toContain('ft:gpt-4o-mini');
    expect(splitPath(`/v1/${sdkEncoded}`)).toEqual(['v1', awkward]);
  });

  it.each(['/v1/%zz', '/v1/%E2%9C', '/v1/%'])('rejects malformed escapes in %s', (raw) => {
    expect(splitPath(raw)).toBeUndefined();
  });
});
