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

/** The keys an allow-list takes: any other (a typo such as `projets`) is refused. */
const KEYS = ['projects', 'checkpoints'] as const;

/**
 * Compiles an allow-list once, validating it. A misspelled key, a wrong shape, or an allow-list
 * that allows no project at all is a `ConfigError` (option `allow…`): with `revoke: 'apply'`
 * any of them would otherwise revoke every permission. Pass `allowEmpty: true` when allowing
 * nothing is what you mean.
 *
 * @example
 * ```ts
 * compileAllowList({ projects: ['proj_a'] }).isAllowed('ft:x', 'proj_b'); // false
 * compileAllowList({}, { allowEmpty: true }).isAllowed('ft:x', 'proj_a'); // false: on purpose
 * ```
 */
export function compileAllowList(
  allow: AllowList,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): AllowPolicy {
  if (typeof allow !== 'object' || allow === null || Array.isArray(allow)) {
    throw new ConfigError(
      'allow',
      `allow must be an object such as { projects: ["proj_…"], checkpoints: { "ft:…": ["proj_…"] } }, got ${shapeOf(allow)}`,
    );
  }
  for (const key of Object.keys(allow)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new ConfigError(
        `allow.${key}`,
        `Unknown allow-list key ${JSON.stringify(key)}; an allow-list takes ${KEYS.join(', ')}`,
      );
  }
  const everywhere = toSet('allow.projects', allow.projects === undefined ? [] : allow.projects);
  const checkpoints: unknown = allow.checkpoints === undefined ? {} : allow.checkpoints;
  if (typeof checkpoints !== 'object' || checkpoints === null || Array.isArray(checkpoints)) {
    throw new ConfigError(
      'allow.checkpoints',
      `allow.checkpoints must be an object { "ft:…": ["proj_…"] }, got ${shapeOf(checkpoints)}`,
    );
  }
  const perCheckpoint = new Map<string, Set<string>>();
  for (const [checkpoint, projects] of Object.entries(checkpoints as Record<string, unknown>)) {
    perCheckpoint.set(
      checkpoint,
      toSet(`allow.checkpoints[${JSON.stringify(checkpoint)}]`, projects as Iterable<string>),
    );
  }
  const allowsNone =
    everywhere.size === 0 && [...perCheckpoint.values()].every((s) => s.size === 0);
  if (allowsNone && !allowEmpty) {
    throw new ConfigError(
      'allow',
      'The allow-list allows no project: every permission would be a violation (and revoked, with revoke: "apply"). Check its keys (projects, checkpoints), or pass allowEmpty: true if that is what you mean',
    );
  }
  return {
    isAllowed: (checkpoint, projectId) =>
      everywhere.has(projectId) || (perCheckpoint.get(checkpoint)?.has(projectId) ?? false),
  };
}

/** What a value is, for a message: its kind, and a short string as itself. */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return value === null || typeof value !== 'object' ? String(value) : 'an object';
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
