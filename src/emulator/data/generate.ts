import type { CheckpointPermission } from '../api-types.js';
import { compareKeys } from './page.js';
import { randomAlnum, randomInt, type Random } from './prng.js';

/**
 * Invents `count` project ids shaped like OpenAI's (`proj_` and 24 letters or digits).
 *
 * @example
 * generateProjects(mulberry32(1), 3); // ['proj_…', 'proj_…', 'proj_…']
 */
export function generateProjects(random: Random, count: number): string[] {
  return Array.from({ length: count }, () => `proj_${randomAlnum(random, 24)}`);
}

/**
 * Generates one checkpoint's permissions, sorted ascending by `(created_at, id)`. Each goes to a
 * different project: drawn from `projects` while it lasts, then invented. Timestamps start at
 * `startAt` and often repeat (about 40% share the previous one's second), so the `(created_at,
 * id)` tie-break is exercised on every page.
 *
 * @example
 * generatePermissions(mulberry32(7), 11, { startAt: 1721764800, projects: ['proj_a', 'proj_b'] });
 */
export function generatePermissions(
  random: Random,
  count: number,
  options: { startAt: number; projects: readonly string[] },
): CheckpointPermission[] {
  const projects = sampleProjects(random, count, options.projects);
  const permissions: CheckpointPermission[] = new Array(count);
  let at = options.startAt;
  for (let i = 0; i < count; i++) {
    if (i > 0 && random() >= 0.4) at += randomInt(random, 1, 90);
    permissions[i] = {
      object: 'checkpoint.permission',
      id: `cp_${randomAlnum(random, 24)}`,
      created_at: at,
      project_id: projects[i] as string,
    };
  }
  return permissions.sort(compareKeys);
}

/** `count` distinct projects: a partial Fisher-Yates shuffle of the pool, then invented ones. */
function sampleProjects(random: Random, count: number, pool: readonly string[]): string[] {
  const chosen = [...new Set(pool)];
  const taken = Math.min(count, chosen.length);
  for (let i = 0; i < taken; i++) {
    const j = randomInt(random, i, chosen.length - 1);
    [chosen[i], chosen[j]] = [chosen[j] as string, chosen[i] as string];
  }
  chosen.length = taken;
  return chosen.concat(generateProjects(random, count - taken));
}
