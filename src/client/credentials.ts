import { ConfigError } from '../errors.js';
import type { RequestAuth } from '../internal/http/send-request.js';
import * as check from './validate.js';

/**
 * The project keys a client holds: a record of project ids to keys, or a function that finds
 * the key of a project (from a vault, a file) and returns `undefined` when there is none.
 *
 * @example
 * ```ts
 * const fromRecord: ProjectKeys = { proj_platform: process.env.PLATFORM_KEY! };
 * const fromVault: ProjectKeys = (projectId) => vault.get(`openai/${projectId}`);
 * createClient({ adminAPIKey: process.env.OPENAI_ADMIN_KEY, projectKeys: fromVault });
 * ```
 */
export type ProjectKeys =
  Readonly<Record<string, string>> | ((projectId: string) => string | undefined);

/** The environment variable of each kind of key (openai-node reads the same ones). */
export const KEY_ENV = { admin: 'OPENAI_ADMIN_KEY', project: 'OPENAI_API_KEY' } as const;

/**
 * The keys of one client, and the one place that picks which of them a request gets: the admin
 * key for the permission and `/organization/*` endpoints, a project key for the fine-tuning jobs
 * endpoints. A key is never sent to an endpoint of the other kind, even as a fallback: the real
 * API answers 401 there, and the key would travel for nothing. Keys live in private fields, so
 * they are not in `JSON.stringify` or `util.inspect` of anything that holds this object.
 *
 * @example
 * ```ts
 * const credentials = new Credentials('sk-admin-…', undefined, { proj_a: 'sk-proj-…' });
 * credentials.authorization({ project: 'proj_a' }, 'GET /fine_tuning/jobs'); // 'Bearer sk-proj-…'
 * credentials.authorization('project', 'GET /fine_tuning/jobs'); // ConfigError naming apiKey and OPENAI_API_KEY
 * ```
 */
export class Credentials {
  readonly #admin: string | undefined;
  readonly #project: string | undefined;
  readonly #projectKeys: ProjectKeys | undefined;
  /** What a `projectKeys` function returned, so that it is asked once per project. */
  readonly #found = new Map<string, string | undefined>();
  /** `secrets()`, until `#found` grows. */
  #secrets: readonly string[] | undefined;

  constructor(
    adminAPIKey: string | undefined,
    apiKey: string | undefined,
    projectKeys: ProjectKeys | undefined,
  ) {
    this.#admin = adminAPIKey;
    this.#project = apiKey;
    this.#projectKeys = projectKeys;
  }

  /**
   * The `Authorization` value for a request with this `auth`, or a `ConfigError` that names the
   * missing option and its environment variable. `what` (method and path) goes in the message.
   */
  authorization(auth: RequestAuth, what: string): string {
    const key = this.#keyFor(auth);
    if (key !== undefined) return `Bearer ${key}`;
    if (auth === 'admin') {
      throw new ConfigError(
        'adminAPIKey',
        `No admin key for ${what}: pass { adminAPIKey } to createClient, or set ${KEY_ENV.admin}. ` +
          'The permission and organization endpoints take an admin key only ' +
          '(https://platform.openai.com/settings/organization/admin-keys); a project key is refused there.',
      );
    }
    if (auth === 'project') {
      throw new ConfigError(
        'apiKey',
        `No project key for ${what}: pass { apiKey } to createClient, or set ${KEY_ENV.project}, ` +
          "or name the project whose key to use ({ project: 'proj_…' } with projectKeys). " +
          'The fine-tuning jobs endpoints take a project key only; an admin key is refused there.',
      );
    }
    const option = projectOption(auth.project);
    throw new ConfigError(
      option,
      `No key for project ${auth.project} (${what}): add it to projectKeys in createClient, ` +
        `as { projectKeys: { ${JSON.stringify(auth.project)}: 'sk-proj-…' } } or a function returning it.`,
    );
  }

  /** Whether a request with this `auth` would find its key. Never sends anything. */
  has(auth: RequestAuth): boolean {
    return this.#keyFor(auth) !== undefined;
  }

  /**
   * Every key held so far (those a `projectKeys` function returned included): what to scrub.
   * The same array until a `projectKeys` function hands over another key, so that a caller can
   * keep what it derives from it (the transport asks on every response).
   */
  secrets(): readonly string[] {
    if (this.#secrets) return this.#secrets;
    const keys = [this.#admin, this.#project, ...this.#found.values()];
    if (typeof this.#projectKeys === 'object') keys.push(...Object.values(this.#projectKeys));
    return (this.#secrets = keys.filter((key): key is string => key !== undefined));
  }

  #keyFor(auth: RequestAuth): string | undefined {
    if (auth === 'admin') return this.#admin;
    if (auth === 'project') return this.#project;
    const id = auth.project;
    const keys = this.#projectKeys;
    if (keys === undefined) return undefined;
    if (typeof keys === 'object') return Object.hasOwn(keys, id) ? keys[id] : undefined;
    if (this.#found.has(id)) return this.#found.get(id);
    const found = keys(id);
    const key = found === undefined ? undefined : checkKey(projectOption(id), found);
    this.#found.set(id, key);
    this.#secrets = undefined;
    return key;
  }
}

/** The name of one project's entry in `projectKeys`, as errors name it: `projectKeys["proj_a"]`. */
export function projectOption(projectId: string): string {
  return `projectKeys[${JSON.stringify(projectId)}]`;
}

/**
 * Checks one key: a non-empty string without whitespace inside (a key pasted twice, or with a
 * line break). Surrounding whitespace is trimmed. The key itself never goes in the message;
 * `label` is what the message calls it (an environment variable, say).
 *
 * @example
 * ```ts
 * checkKey('apiKey', ' sk-proj-abc\n'); // 'sk-proj-abc'
 * checkKey('apiKey', 'sk-a sk-a'); // ConfigError: apiKey must not contain whitespace; …
 * ```
 */
export function checkKey(option: string, value: unknown, label = option): string {
  const key = check.nonEmptyString(option, value, true).trim();
  if (/\s/.test(key)) {
    throw new ConfigError(
      option,
      `${label} must not contain whitespace; check how it was pasted or exported`,
    );
  }
  return key;
}

/**
 * Checks the `projectKeys` option: a record of non-empty keys, or a function (whose answers are
 * checked when it is called).
 *
 * @example
 * ```ts
 * checkProjectKeys({ proj_a: 42 }); // ConfigError: projectKeys["proj_a"] must be a non-empty string, got a number
 * ```
 */
export function checkProjectKeys(value: unknown): ProjectKeys {
  if (typeof value === 'function') return value as ProjectKeys;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      'projectKeys',
      `projectKeys must be an object of project ids to keys ({ proj_…: 'sk-proj-…' }) or a function (projectId) => key, got ${
        Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`
      }`,
    );
  }
  const keys: Record<string, string> = {};
  for (const [id, key] of Object.entries(value)) keys[id] = checkKey(projectOption(id), key);
  return keys;
}
