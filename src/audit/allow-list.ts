import { ConfigError } from '../errors.js';

/**
 * Which projects may use which checkpoints. A permission is allowed when its project is in
 * `projects` (allowed everywhere) or in the checkpoint's own entry of `checkpoints`.
 *
 * @example
 * ```ts
 * const allow: AllowList = {
 *   projects: ['proj_platform'],
 *   checkpoints: { 'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd': ['proj_weather'] },
 * };
 * ```
 */
export interface AllowList {
  readonly projects?: Iterable<string>;
  readonly checkpoints?: Readonly<Record<string, Iterable<string>>>;
}

/** An allow-list turned into sets for O(1) checks. */
export interface AllowPolicy {
  isAllowed(checkpoint: string, projectId: string): boolean;
}

/**
 * Compiles an allow-list once, validating it.
 *
 * @example
 * ```ts
 * compileAllowList({ projects: ['proj_a'] }).isAllowed('ft:x', 'proj_b'); // false
 * ```
 */
export function compileAllowList(allow: AllowList): AllowPolicy {
  if (typeof allow !== 'object' || allow === null) {
    throw new ConfigError(
      'allow',
      'allow must be an object such as { projects: ["proj_…"], checkpoints: { "ft:…": ["proj_…"] } }',
    );
  }
  const everywhere = toSet('allow.projects', allow.projects ?? []);
  const perCheckpoint = new Map<string, Set<string>>();
  for (const [checkpoint, projects] of Object.entries(allow.checkpoints ?? {})) {
    perCheckpoint.set(
      checkpoint,
      toSet(`allow.checkpoints[${JSON.stringify(checkpoint)}]`, projects),
    );
  }
  return {
    isAllowed: (checkpoint, projectId) =>
      everywhere.has(projectId) || (perCheckpoint.get(checkpoint)?.has(projectId) ?? false),
  };
}

function toSet(option: string, values: Iterable<string>): Set<string> {
  if (
    typeof values === 'string' ||
    typeof (values as Iterable<string> | null)?.[Symbol.iterator] !== 'function'
  ) {
    throw new ConfigError(option, `${option} must be a list of project ids (proj_…)`);
  }
  const set = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value === '')
      throw new ConfigError(option, `${option} must hold only non-empty strings`);
    set.add(value);
  }
  return set;
}
