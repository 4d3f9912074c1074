import { ApiProblem } from './problem.js';

/**
 * Which bearer key the emulator accepts, and how it tells a non-admin key from a wrong one.
 *
 * @example
 * const auth: AuthSettings = { apiKey: 'sk-admin-emulator', adminKeyPrefix: 'sk-admin-' };
 */
export interface AuthSettings {
  readonly apiKey: string;
  readonly adminKeyPrefix: string;
}

/**
 * Checks the `Authorization: Bearer <key>` header. Returns the problem to answer with, or
 * `undefined` when the key is the accepted one:
 * - no bearer key: 401 "You didn't provide an API key";
 * - an `sk-` key that is not the accepted one and lacks the admin prefix: 403, because the
 *   permission endpoints need an admin key (excerpt: "This endpoint requires an admin API key");
 * - any other key: 401 `invalid_api_key`, the key masked as OpenAI does, never echoed whole.
 *
 * @see https://platform.openai.com/docs/guides/error-codes#api-errors
 * @example
 * authenticate('Bearer sk-proj-abc', { apiKey: 'sk-admin-emulator', adminKeyPrefix: 'sk-admin-' })
 *   ?.status; // 403
 */
export function authenticate(
  header: string | undefined,
  settings: AuthSettings,
): ApiProblem | undefined {
  const key = /^Bearer\s+(\S.*)$/i.exec(header ?? '')?.[1]?.trim();
  if (key === settings.apiKey) return undefined;
  if (key === undefined) {
    return unauthorized(
      "You didn't provide an API key. You need to provide your API key in an Authorization " +
        'header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API ' +
        'key from https://platform.openai.com/account/api-keys.',
    );
  }
  if (key.startsWith('sk-') && !key.startsWith(settings.adminKeyPrefix)) {
    return new ApiProblem(403, {
      message:
        'This endpoint requires an admin API key, and the key provided is not one. Create an ' +
        'admin key at https://platform.openai.com/settings/organization/admin-keys.',
      type: 'invalid_request_error',
      code: 'insufficient_permissions',
    });
  }
  return unauthorized(
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at ` +
      'https://platform.openai.com/account/api-keys.',
  );
}

function unauthorized(message: string): ApiProblem {
  return new ApiProblem(401, { message, type: 'invalid_request_error', code: 'invalid_api_key' });
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
