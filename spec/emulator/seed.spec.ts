import { describe, expect, it } from 'vitest';
import { seedOrganization, type Dataset } from '../../src/emulator/index.js';
import { ConfigError } from '../../src/errors.js';

const checkpointsOf = (dataset: Dataset) =>
  (dataset.jobs ?? []).flatMap((job) => job.checkpoints ?? []);
const permissionsOf = (dataset: Dataset) =>
  checkpointsOf(dataset).map((checkpoint) =>
    Array.isArray(checkpoint.permissions) ? checkpoint.permissions : [],
  );

describe('seedOrganization', () => {
  it('gives byte-identical JSON for the same options', () => {
    expect(JSON.stringify(seedOrganization({ seed: 5 }))).toBe(
      JSON.stringify(seedOrganization({ seed: 5 })),
    );
    expect(JSON.stringify(seedOrganization())).toBe(JSON.stringify(seedOrganization({ seed: 1 })));
  });

  it('differs between seeds', () => {
    expect(JSON.stringify(seedOrganization({ seed: 1 }))).not.toBe(
      JSON.stringify(seedOrganization({ seed: 2 })),
    );
  });

  it.each([1, 2, 3, 99])('puts lists on and around the page boundaries (seed %d)', (seed) => {
    const sizes = permissionsOf(seedOrganization({ seed })).map((list) => list.length);
    expect(sizes).toEqual(expect.arrayContaining([0, 1, 9, 10, 11, 250]));
    expect(seedOrganization({ seed }).jobs).toHaveLength(6);
    const perJob = seedOrganization({ seed }).jobs?.map((job) => job.checkpoints?.length);
    for (const n of perJob ?? []) expect(n).toBeGreaterThanOrEqual(3);
    for (const n of perJob ?? []) expect(n).toBeLessThanOrEqual(5);
  });

  it('repeats created_at seconds within a checkpoint', () => {
    const ties = permissionsOf(seedOrganization()).some((list) =>
      list.some((permission, i) => i > 0 && permission.created_at === list[i - 1]?.created_at),
    );
    expect(ties).toBe(true);
  });

  it('gives each project at most one permission per checkpoint', () => {
    for (const list of permissionsOf(seedOrganization({ projects: 5, large: 40 }))) {
      expect(new Set(list.map((permission) => permission.project_id)).size).toBe(list.length);
    }
  });

  it('uses ids shaped like the real ones', () => {
    const dataset = seedOrganization();
    expect(dataset.organization_id).toMatch(/^org-[A-Za-z0-9]{24}$/);
    for (const job of dataset.jobs ?? []) {
      expect(job.id).toMatch(/^ftjob-[A-Za-z0-9]{24}$/);
      for (const checkpoint of job.checkpoints ?? []) {
        expect(checkpoint.id).toMatch(/^ftckpt_[A-Za-z0-9]{24}$/);
        expect(checkpoint.fine_tuned_model_checkpoint).toMatch(
          /^ft:[a-z0-9.-]+:acme:[^:]+:[A-Za-z0-9]{8}:ckpt-step-\d+$/,
        );
        for (const permission of Array.isArray(checkpoint.permissions)
          ? checkpoint.permissions
          : []) {
          expect(permission.id).toMatch(/^cp_[A-Za-z0-9]{24}$/);
          expect(permission.project_id).toMatch(/^proj_[A-Za-z0-9]{24}$/);
        }
      }
    }
  });

  it('names the first job\u2019s checkpoints with characters that need percent-encoding', () => {
    const names = checkpointsOf(seedOrganization()).map((c) => c.fine_tuned_model_checkpoint);
    const awkward = names.filter((name) => name.includes(':q3 eval/50%#1?:'));
    expect(awkward.length).toBeGreaterThanOrEqual(3);
    // The first one has 11 permissions, so paging crosses a page boundary on an awkward name.
    expect(permissionsOf(seedOrganization())[0]).toHaveLength(11);
  });

  it('has one running job (the newest) and succeeded ones', () => {
    const jobs = seedOrganization().jobs ?? [];
    expect(jobs.map((job) => job.status)).toEqual([...Array(5).fill('succeeded'), 'running']);
    expect(jobs[5]).toMatchObject({ fine_tuned_model: null, finished_at: null });
    expect(jobs[0]?.fine_tuned_model).toMatch(/^ft:/);
  });

  it('honours the sizes asked for', () => {
    const dataset = seedOrganization({ jobs: 2, checkpointsPerJob: 7, projects: 3, large: 30 });
    expect(dataset.jobs).toHaveLength(2);
    // The pool of three grantees, and the four projects that own the jobs.
    expect(dataset.projects).toHaveLength(3 + 4);
    expect(checkpointsOf(dataset)).toHaveLength(14);
    expect(permissionsOf(dataset).map((list) => list.length)).toContain(30);
  });

  it('scales to a demo organisation of 300 checkpoints quickly', () => {
    const started = performance.now();
    const dataset = seedOrganization({ jobs: 60, checkpointsPerJob: 5 });
    expect(checkpointsOf(dataset)).toHaveLength(300);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('handles empty organisations', () => {
    expect(seedOrganization({ jobs: 0 }).jobs).toEqual([]);
    expect(checkpointsOf(seedOrganization({ jobs: 1, checkpointsPerJob: 0 }))).toEqual([]);
    expect(
      seedOrganization({ jobs: 1, checkpointsPerJob: 0 }).jobs?.[0]?.fine_tuned_model,
    ).toBeNull();
  });

  it.each([{ jobs: -1 }, { projects: 1.5 }, { large: Number.NaN }, { seed: 0.5 }])(
    'rejects %j',
    (options) => {
      expect(() => seedOrganization(options)).toThrow(ConfigError);
    },
  );
});
