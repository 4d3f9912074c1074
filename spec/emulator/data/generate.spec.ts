import { describe, expect, it } from 'vitest';
import { generatePermissions, generateProjects } from '../../../src/emulator/data/generate.js';
import { compareKeys } from '../../../src/emulator/data/page.js';
import { mulberry32 } from '../../../src/emulator/data/prng.js';

describe('generateProjects', () => {
  it('invents proj_ ids', () => {
    const projects = generateProjects(mulberry32(1), 5);
    expect(projects).toHaveLength(5);
    for (const id of projects) expect(id).toMatch(/^proj_[A-Za-z0-9]{24}$/);
  });
});

describe('generatePermissions', () => {
  const generate = (count: number, projects: string[] = [], seed = 1) =>
    generatePermissions(mulberry32(seed), count, { startAt: 1_000, projects });

  it.each([0, 1, 10, 1000])('makes %d sorted permissions starting at startAt', (count) => {
    const permissions = generate(count);
    expect(permissions).toHaveLength(count);
    expect([...permissions].sort(compareKeys)).toEqual(permissions);
    for (const permission of permissions) {
      expect(permission).toEqual({
        object: 'checkpoint.permission',
        id: expect.stringMatching(/^cp_[A-Za-z0-9]{24}$/),
        created_at: expect.any(Number),
        project_id: expect.any(String),
      });
      expect(permission.created_at).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('repeats seconds, so ties are common', () => {
    const times = generate(100).map((permission) => permission.created_at);
    expect(new Set(times).size).toBeLessThan(80);
  });

  it('uses the pool first, each project once, then invents more', () => {
    const pool = ['proj_a', 'proj_b', 'proj_c', 'proj_a'];
    const few = generate(2, pool).map((permission) => permission.project_id);
    expect(new Set(few).size).toBe(2);
    for (const project of few) expect(pool).toContain(project);
    const many = generate(10, pool).map((permission) => permission.project_id);
    expect(new Set(many).size).toBe(10);
    expect(many).toEqual(expect.arrayContaining(['proj_a', 'proj_b', 'proj_c']));
  });

  it('is deterministic for a seed', () => {
    expect(generate(50, [], 7)).toEqual(generate(50, [], 7));
    expect(generate(50, [], 7)).not.toEqual(generate(50, [], 8));
  });
});
