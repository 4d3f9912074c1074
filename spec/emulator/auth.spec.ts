/**
 * The key model of the real organization: the admin key opens the permission endpoints and
 * `/organization/*`; a project key opens the jobs endpoints for its own project only. The other
 * kind gets a 401 naming the missing scope, an unknown key 401 `invalid_api_key`, no key 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authorize, maskKey } from '../../src/emulator/auth.js';
import { startEmulator, type Emulator, type Truth } from '../../src/emulator/index.js';
import { call, permissionsPath } from './helpers.js';

const keys = {
  adminKey: 'sk-admin-emulator',
  projectOfKey: (key: string) => (key === 'sk-proj-abc123' ? 'proj_abc' : undefined),
};

describe('authenticate', () => {
  it.each([
    ['Bearer sk-admin-emulator', { kind: 'admin' }],
    ['bearer sk-admin-emulator', { kind: 'admin' }],
    ['Bearer   sk-admin-emulator  ', { kind: 'admin' }],
    ['Bearer sk-proj-abc123', { kind: 'project', projectId: 'proj_abc' }],
  ])('%j -> %j', (header, identity) => {
    expect(authenticate(header, keys)).toEqual(identity);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Basic sk-admin-emulator',
    'sk-admin-emulator',
    'Bearer sk-admin-wrong',
    'Bearer not-a-key',
    'Bearer sk-proj-other',
    'Bearer sk-abc123',
  ])('%j -> 401 invalid_api_key', (header) => {
    const problem = authenticate(header, keys);
    expect(problem).toMatchObject({ status: 401 });
    expect((problem as { body: { error: { code: string } } }).body.error.code).toBe(
      'invalid_api_key',
    );
  });

  it('masks an unknown key as OpenAI does', () => {
    const problem = authenticate('Bearer sk-abwrong-0123456789xyz', keys) as {
      body: { error: { message: string } };
    };
    expect(problem.body.error.message).toMatch(/^Incorrect API key provided: sk-\*+9xyz\./);
    expect(problem.body.error.message).not.toContain('wrong-0123');
  });
});

describe('authorize', () => {
  it('lets the right kind through and answers the other kind a 401 naming the scope', () => {
    expect(authorize({ kind: 'admin' }, 'admin', 'x')).toBeUndefined();
    expect(authorize({ kind: 'project', projectId: 'p' }, 'admin', 'api.x.read')?.body).toEqual({
      error: {
        message:
          'You have insufficient permissions for this operation. Missing scopes: api.x.read.',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });
});

describe('maskKey', () => {
  it.each([
    ['sk-admin-0123456789abcdef', 'sk-******************cdef'],
    ['sk-12345678', '***********'],
    ['abcdefghijkl', 'abc*****ijkl'],
    ['', ''],
  ])('%s -> %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it('never reveals more than seven characters of a key', () => {
    for (let length = 0; length < 80; length++) {
      const key = 'x'.repeat(length);
      expect(maskKey(key)).toHaveLength(length);
      expect(maskKey(key).replace(/\*/g, '').length).toBeLessThanOrEqual(7);
    }
  });
});

describe('the key model over HTTP, on every route', () => {
  let emulator: Emulator;
  let truth: Truth;
  let ownKey: string;
  let ownJob: string;
  let foreignJob: string;
  let checkpoint: string;
  let permission: string;

  beforeAll(async () => {
    emulator = await startEmulator({ rateLimit: { requestsPerMinute: 600, burst: 100 } });
    truth = emulator.truth();
    const [project, key] = Object.entries(emulator.projectKeys)[0] as [string, string];
    ownKey = key;
    ownJob = truth.jobs.find((job) => truth.jobOwners[job.id] === project)?.id as string;
    foreignJob = truth.jobs.find((job) => truth.jobOwners[job.id] !== project)?.id as string;
    checkpoint = Object.keys(truth.permissions).find((n) => truth.permissions[n]?.length) as string;
    permission = truth.permissions[checkpoint]?.[0]?.id as string;
  });
  afterAll(() => emulator.close());

  const routes = (): [string, string, 'admin' | 'project', string][] => [
    ['GET', permissionsPath(checkpoint), 'admin', 'api.fine_tuning.checkpoints.read'],
    ['POST', permissionsPath(checkpoint), 'admin', 'api.fine_tuning.checkpoints.write'],
    [
      'DELETE',
      `${permissionsPath(checkpoint)}/${permission}`,
      'admin',
      'api.fine_tuning.checkpoints.write',
    ],
    ['GET', '/organization/projects', 'admin', 'api.organization.projects.read'],
    ['GET', '/organization/audit_logs', 'admin', 'api.organization.audit_logs.read'],
    ['GET', '/fine_tuning/jobs', 'project', 'api.fine_tuning.jobs.read'],
    ['GET', `/fine_tuning/jobs/${ownJob}`, 'project', 'api.fine_tuning.jobs.read'],
    [
      'GET',
      `/fine_tuning/jobs/${ownJob}/checkpoints`,
      'project',
      'api.fine_tuning.checkpoints.read',
    ],
  ];

  it('the right key passes (reads only: writes are covered by the permission specs)', async () => {
    for (const [method, path, kind] of routes().filter(([method]) => method === 'GET')) {
      const key = kind === 'admin' ? emulator.adminKey : ownKey;
      const response = await call(emulator, path, { method, key });
      expect(response.status, `${method} ${path}`).toBe(200);
    }
  });

  it('the other kind of key gets a 401 naming the missing scope, and changes nothing', async () => {
    for (const [method, path, kind, scope] of routes()) {
      const key = kind === 'admin' ? ownKey : emulator.adminKey;
      const body = method === 'POST' ? { project_ids: ['proj_x'] } : undefined;
      const response = await call(emulator, path, { method, key, body });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body.error).toEqual({
        message: `You have insufficient permissions for this operation. Missing scopes: ${scope}.`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
    expect(emulator.truth().permissions).toEqual(truth.permissions);
  });

  it('an unknown key (a wrong sk- key too) gets 401 invalid_api_key, never echoed whole', async () => {
    for (const [method, path] of routes()) {
      for (const key of ['sk-proj-this-is-not-a-key-1234', 'sk-admin-wrong-key-5678', 'nope']) {
        const response = await call(emulator, path, { method, key });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('invalid_api_key');
        expect(response.text).not.toContain(key.slice(3, -4) || key);
      }
    }
  });

  it('no key gets the 401 "You didn\u2019t provide an API key"', async () => {
    for (const [method, path] of routes()) {
      const response = await call(emulator, path, { method, key: null });
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({
        code: 'invalid_api_key',
        message: expect.stringContaining("You didn't provide an API key"),
      });
      expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    }
  });

  it('a project key sees only its own project: another project\u2019s job is a 404', async () => {
    const list = await call(emulator, '/fine_tuning/jobs?limit=100', { key: ownKey });
    const project = Object.keys(emulator.projectKeys)[0];
    expect(list.body.data.map((job: { id: string }) => job.id)).toEqual(
      truth.jobs.filter((job) => truth.jobOwners[job.id] === project).map((job) => job.id),
    );
    for (const path of [
      `/fine_tuning/jobs/${foreignJob}`,
      `/fine_tuning/jobs/${foreignJob}/checkpoints`,
    ]) {
      const response = await call(emulator, path, { key: ownKey });
      expect(response.status).toBe(404);
      expect(response.body.error.message).toBe(`Fine-tuning job '${foreignJob}' not found.`);
    }
    const cursor = await call(emulator, `/fine_tuning/jobs?after=${foreignJob}`, { key: ownKey });
    expect(cursor.status).toBe(400);
  });

  it('spends no rate-limit token on a 401', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 1 });
    await call(emulator, '/fine_tuning/jobs', { key: null });
    await call(emulator, '/fine_tuning/jobs', { key: emulator.adminKey });
    const response = await call(emulator, '/fine_tuning/jobs', { key: ownKey });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    emulator.setRateLimit(false);
  });
});
