import { ConfigError } from '../errors.js';

/**
 * How the emulator behaves where OpenAI's spec is silent and nobody has observed the real API.
 * Each is an assumption with a default, documented in docs/emulator.md ("Assumptions"), so a test
 * can check that a client copes with the other possibilities too.
 *
 * @example
 * await startEmulator({ assumptions: { regrant: 'error', unknownProject: 'bad_request' } });
 */
export interface Assumptions {
  /**
   * Granting a project that already has access: `'idempotent'` answers its existing permission
   * unchanged; `'error'` answers a 400 (`code: 'already_exists'`). @default 'idempotent'
   */
  regrant?: 'idempotent' | 'error';
  /**
   * Granting a project the organization does not have: `'not_found'` answers a 404 "Project not
   * found: proj_…"; `'bad_request'` the same as a 400; `'allow'` grants it. @default 'not_found'
   */
  unknownProject?: 'not_found' | 'bad_request' | 'allow';
  /**
   * Whether admin endpoints (permissions, projects, audit logs) send `x-ratelimit-*` headers when
   * a rate limit is set; the jobs endpoints always do. 429s keep `retry-after` either way.
   * @default true
   */
  adminRateLimitHeaders?: boolean;
}

/**
 * Fills in the defaults and rejects unknown values.
 *
 * @throws ConfigError naming `assumptions.<field>`.
 * @example
 * resolveAssumptions({}).regrant; // 'idempotent'
 */
export function resolveAssumptions(assumptions: Assumptions = {}): Required<Assumptions> {
  if (typeof assumptions !== 'object' || assumptions === null || Array.isArray(assumptions)) {
    throw new ConfigError('assumptions', 'assumptions must be an object');
  }
  const resolved = {
    regrant: 'idempotent',
    unknownProject: 'not_found',
    adminRateLimitHeaders: true,
    ...assumptions,
  } as Required<Assumptions>;
  oneOf('regrant', resolved.regrant, ['idempotent', 'error']);
  oneOf('unknownProject', resolved.unknownProject, ['not_found', 'bad_request', 'allow']);
  oneOf('adminRateLimitHeaders', resolved.adminRateLimitHeaders, [true, false]);
  for (const key of Object.keys(assumptions)) {
    if (
      !(key in resolved) ||
      !['regrant', 'unknownProject', 'adminRateLimitHeaders'].includes(key)
    ) {
      throw new ConfigError(`assumptions.${key}`, `assumptions.${key} is not an assumption`);
    }
  }
  return resolved;
}

function oneOf(name: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      `assumptions.${name}`,
      `assumptions.${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
}
