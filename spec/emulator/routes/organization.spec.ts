/**
 * The real organization: projects (paging, archived ones), owning projects, grants to projects
 * that do not exist, re-grants, and the assumptions that configure what the spec leaves open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  seedOrganization,
  startEmulator,
  type Emulator,
  type Truth,
} from '../../../src/emulator/index.js';
import { validateDataset } from '../../../src/emulator/data/validate-dataset.js';
import { call, originOf, permissionsPath } from '../helpers.js';

let emulator: Emulator;
let truth: Truth;
const idsOf = (list: { id: string }[]) => list.map((item) => item.id);

beforeAll(async () => {
  emulator = await startEmulator();
  truth = emulator.truth();
});
afterAll(() => emulator.close());

/** A project that exists, does not own `name` and has no access to it. */
function grantable(name: string, now = emulator.truth()): string {
  const granted = new Set(now.permissions[name]?.map((p) => p.project_id));
  return now.projects.find((p) => !granted.has(p.id) && p.id !== now.owners[name])?.id as string;
}

describe('the generated organization', () => {
  it('has several projects, archived ones, owners without a key, and an owner for every job', () => {
    expect(truth.projects.length).toBeGreaterThan(10);
    expect(truth.projects.some((p) => p.status === 'archived' && p.archived_at !== null)).toBe(
      true,
    );
    const owners = new Set(Object.values(truth.jobOwners));
    expect(owners.size).toBeGreaterThan(2);
    expect([...owners].some((id) => !truth.projectsWithKeys.includes(id))).toBe(true);
    expect(truth.projectsWithKeys.sort()).toEqual(Object.keys(emulator.projectKeys).sort());
    for (const job of truth.jobs)
      expect(truth.projects.map((p) => p.id)).toContain(truth.jobOwners[job.id]);
    for (const checkpoint of truth.checkpoints) {
      const owner = truth.jobOwners[checkpoint.fine_tuning_job_id];
      expect(truth.owners[checkpoint.fine_tuned_model_checkpoint]).toBe(owner);
      // Nobody can grant the owning project, so no seeded grant does.
      const grantees = truth.permissions[checkpoint.fine_tuned_model_checkpoint]?.map(
        (p) => p.project_id,
      );
      expect(grantees).not.toContain(owner);
    }
  });

  it('never puts a key in the truth', async () => {
    const text = await (await fetch(`${originOf(emulator)}/__emulator/truth`)).text();
    for (const key of [emulator.adminKey, ...Object.values(emulator.projectKeys)]) {
      expect(text).not.toContain(key);
    }
  });
});

describe('GET /organization/projects', () => {
  const active = () => truth.projects.filter((p) => p.status === 'active');

  it('answers the first 20 active projects, oldest first, in the spec shape', async () => {
    const { status, body } = await call(emulator, '/organization/projects');
    expect(status).toBe(200);
    expect(body).toEqual({
      object: 'list',
      data: active().slice(0, 20),
      first_id: active()[0]?.id,
      last_id: active()[19]?.id,
      has_more: true,
    });
    expect(body.data[0]).toMatchObject({
      object: 'organization.project',
      status: 'active',
      archived_at: null,
    });
  });

  it.each([[false], [true]])('pages with after (include_archived=%s)', async (archived) => {
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const { body } = await call(
        emulator,
        `/organization/projects?limit=7&include_archived=${archived}${after && `&after=${after}`}`,
      );
      seen.push(...idsOf(body.data));
      if (!body.has_more) break;
      after = body.last_id;
    }
    expect(seen).toEqual(idsOf(archived ? truth.projects : active()));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['include_archived=yes', 'include_archived'],
    ['after=proj_nope', 'after'],
  ])('%s -> 400 naming %s', async (query, param) => {
    const response = await call(emulator, `/organization/projects?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe(param);
  });
});

describe('owning projects and unknown projects', () => {
  const name = () => truth.checkpoints[0]?.fine_tuned_model_checkpoint as string;

  it('granting the owning project is a 400 with OpenAI\u2019s wording, and grants nothing', async () => {
    const owner = truth.owners[name()] as string;
    const other = grantable(name());
    const response = await call(emulator, permissionsPath(name()), {
      method: 'POST',
      body: { project_ids: [other, owner] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      message: `Cannot modify checkpoint permissions for the owning project: ${owner}`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    expect(emulator.truth().permissions[name()]).toEqual(truth.permissions[name()]);
    expect(() => emulator.grant(name(), owner)).toThrow(/owning project/);
  });

  it('granting a project that does not exist is a 404 "Project not found" by default', async () => {
    const response = await call(emulator, permissionsPath(name()), {
      method: 'POST',
      body: { project_ids: ['proj_doesNotExist'] },
    });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      message: 'Project not found: proj_doesNotExist',
      type: 'invalid_request_error',
      param: 'project_ids',
    });
  });
});

describe('assumptions', () => {
  it('unknownProject: bad_request answers a 400, allow grants it', async () => {
    for (const [unknownProject, status] of [
      ['bad_request', 400],
      ['allow', 200],
    ] as const) {
      const other = await startEmulator({ assumptions: { unknownProject } });
      try {
        const name = other.truth().checkpoints[0]?.fine_tuned_model_checkpoint as string;
        const response = await call(other, permissionsPath(name), {
          method: 'POST',
          body: { project_ids: ['proj_doesNotExist'] },
        });
        expect(response.status).toBe(status);
      } finally {
        await other.close();
      }
    }
  });

  it('regrant: idempotent by default, a 400 with error', async () => {
    const name = truth.checkpoints[1]?.fine_tuned_model_checkpoint as string;
    const project = grantable(name);
    const first = await call(emulator, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [project] },
    });
    const again = await call(emulator, permissionsPath(name), {
      method: 'POST',
      body: { project_ids: [project] },
    });
    expect(again.body.data).toEqual(first.body.data);

    const strict = await startEmulator({ assumptions: { regrant: 'error' } });
    try {
      const granted = strict.truth().permissions[name]?.[0]?.project_id;
      const response = await call(strict, permissionsPath(name), {
        method: 'POST',
        body: { project_ids: [granted] },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ param: 'project_ids', code: 'already_exists' });
    } finally {
      await strict.close();
    }
  });

  it('adminRateLimitHeaders: false drops x-ratelimit-* on admin endpoints only', async () => {
    const quiet = await startEmulator({
      rateLimit: { requestsPerMinute: 600, burst: 100 },
      assumptions: { adminRateLimitHeaders: false },
    });
    try {
      const admin = await call(quiet, '/organization/projects');
      expect(admin.headers.get('x-ratelimit-limit-requests')).toBeNull();
      const jobs = await call(quiet, '/fine_tuning/jobs');
      expect(jobs.headers.get('x-ratelimit-limit-requests')).toBe('600');
      const loud = await call(emulator, '/organization/projects');
      expect(loud.headers.get('x-ratelimit-limit-requests')).toBeNull(); // no rate limit at all
    } finally {
      await quiet.close();
    }
  });

  it('maxLimit bounds the permission list (100 by default)', async () => {
    const name = truth.checkpoints[0]?.fine_tuned_model_checkpoint as string;
    expect((await call(emulator, permissionsPath(name, 'limit=101'))).status).toBe(400);
    const wide = await startEmulator({ maxLimit: 1000 });
    try {
      expect((await call(wide, permissionsPath(name, 'limit=1000'))).status).toBe(200);
    } finally {
      await wide.close();
    }
  });
});

describe('datasets with projects', () => {
  it('take project objects, owners and keys, and validate them', async () => {
    const dataset = {
      projects: [
        { id: 'proj_owner', name: 'Owner', api_key: 'sk-proj-owner-key' },
        { id: 'proj_old', status: 'archived' as const, archived_at: 1720000000 },
        'proj_plain',
      ],
      default_project_id: 'proj_owner',
      jobs: [
        {
          id: 'ftjob-1',
          created_at: 1721764800,
          project_id: 'proj_owner',
          checkpoints: [{ fine_tuned_model_checkpoint: 'ft:a', permissions: 2 }],
        },
      ],
    };
    const own = await startEmulator({ dataset });
    try {
      expect(own.projectKeys).toEqual({ proj_owner: 'sk-proj-owner-key' });
      const now = own.truth();
      expect(now.owners).toEqual({ 'ft:a': 'proj_owner' });
      expect(now.projects.find((p) => p.id === 'proj_old')).toMatchObject({
        status: 'archived',
        archived_at: 1720000000,
      });
      expect(now.permissions['ft:a']?.map((p) => p.project_id).sort()).toEqual([
        'proj_old',
        'proj_plain',
      ]);
      const jobs = await call(own, '/fine_tuning/jobs', { key: 'sk-proj-owner-key' });
      expect(jobs.body.data.map((job: { id: string }) => job.id)).toEqual(['ftjob-1']);
    } finally {
      await own.close();
    }
  });

  it.each([
    [{ projects: [{ id: 'proj_a', status: 'gone' }] }, 'projects[0].status'],
    [{ projects: [{ name: 'x' }] }, 'projects[0].id'],
    [{ projects: ['proj_a', 'proj_a'] }, 'projects[1]'],
    [
      {
        projects: [
          { id: 'proj_a', api_key: 'k1' },
          { id: 'proj_b', api_key: 'k1' },
        ],
      },
      'projects[1].api_key',
    ],
    [{ projects: [{ id: 'proj_a', status: 'active', archived_at: 5 }] }, 'projects[0].archived_at'],
    [{ audit_log_since: 'yesterday' }, 'audit_log_since'],
    [{ jobs: [{ id: 'ftjob-1', created_at: 1, project_id: 7 }] }, 'jobs[0].project_id'],
  ])('rejects %j at %s', (dataset, path) => {
    expect(() => validateDataset(dataset)).toThrow(expect.objectContaining({ path }));
  });

  it('never echoes a key in a dataset error', () => {
    expect(() =>
      validateDataset({
        projects: [
          { id: 'a', api_key: 'sk-dup' },
          { id: 'b', api_key: 'sk-dup' },
        ],
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sk-dup') }));
  });

  it('the seeded organization is a valid dataset', () => {
    expect(() =>
      validateDataset(JSON.parse(JSON.stringify(seedOrganization({ seed: 4 })))),
    ).not.toThrow();
  });
});
