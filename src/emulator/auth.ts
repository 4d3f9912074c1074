import { ApiProblem } from './problem.js';

/**
 * Who a request's key says it is: the organization's admin key, or one project's key.
 *
 * @example
 * const identity: Identity = { kind: 'project', projectId: 'proj_abc' };
 */
export type Identity =
  { readonly kind: 'admin' } | { readonly kind: 'project'; readonly projectId: string };

/**
 * The keys an emulator knows: its admin key, and a lookup from a project key to its project.
 *
 * @example
 * const keys: KnownKeys = { adminKey: 'sk-admin-emulator', projectOfKey: (key) => map.get(key) };
 */
export interface KnownKeys {
  readonly adminKey: string;
  projectOfKey(key: string): string | undefined;
}

/**
 * Checks the `Authorization: Bearer <key>` header and says whose key it is, or answers the 401
 * OpenAI gives:
 * - no bearer key: "You didn't provide an API key…", `code: 'invalid_api_key'`;
 * - a key it does not know (a wrong `sk-…` key included): "Incorrect API key provided: sk-ab***…",
 *   masked as OpenAI does, never echoed whole.
 *
 * @see https://platform.openai.com/docs/guides/error-codes#api-errors
 * @example
 * authenticate('Bearer sk-admin-emulator', keys); // { kind: 'admin' }
 */
export function authenticate(header: string | undefined, keys: KnownKeys): Identity | ApiProblem {
  const key = /^Bearer\s+(\S.*)$/i.exec(header ?? '')?.[1]?.trim();
  if (key === undefined) {
    return unauthorized(
      "You didn't provide an API key. You need to provide your API key in an Authorization " +
        'header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API ' +
        'key from https://platform.openai.com/account/api-keys.',
      'invalid_api_key',
    );
  }
  if (key === keys.adminKey) return { kind: 'admin' };
  const projectId = keys.projectOfKey(key);
  if (projectId !== undefined) return { kind: 'project', projectId };
  return unauthorized(
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at ` +
      'https://platform.openai.com/account/api-keys.',
    'invalid_api_key',
  );
}

/**
 * Checks that a known key is of the kind an endpoint takes. The admin key opens only the
 * administration endpoints (OpenAI: "Admin API keys cannot be used for non-administration
 * endpoints"), a project key only the others; the wrong kind gets the 401 OpenAI answers, naming
 * the scope the key lacks, with `param` and `code` null.
 *
 * @example
 * authorize({ kind: 'admin' }, 'project', 'api.fine_tuning.jobs.read')?.status; // 401
 */
export function authorize(
  identity: Identity,
  needs: Identity['kind'],
  scope: string,
): ApiProblem | undefined {
  if (identity.kind === needs) return undefined;
  return unauthorized(
    `You have insufficient permissions for this operation. Missing scopes: ${scope}.`,
    null,
  );
}

function unauthorized(message: string, code: string | null): ApiProblem {
  return new ApiProblem(401, { message, type: 'invalid_request_error', code });
}

/**
 * Masks a key the way OpenAI's 401 message does: the first three and last four characters, stars
 * between; a key shorter than 12 characters is all stars.
 *
 * @example
 * maskKey('sk-admin-0123456789abcdef'); // 'sk-******************cdef'
 */
export function maskKey(key: string): string {
  if (key.length < 12) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}
