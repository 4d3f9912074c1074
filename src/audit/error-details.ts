import { APIError, ProtocolError } from '../errors.js';
import type { ErrorDetails } from './audit-record.js';

/**
 * The gist of an error for a report line: status, type, message and request id when it has
 * them. Messages of our errors never contain the key; a foreign error's message is kept as is.
 *
 * @example
 * ```ts
 * errorDetails(APIError.fromResponse(404, { error: { message: 'No such checkpoint', type: 'invalid_request_error' } }));
 * // { status: 404, type: 'invalid_request_error', message: '404 No such checkpoint', request_id: null }
 * ```
 */
export function errorDetails(error: unknown): ErrorDetails {
  if (error instanceof APIError) {
    return {
      status: error.status ?? null,
      type: error.type ?? error.name,
      message: error.message,
      request_id: error.requestID ?? null,
    };
  }
  if (error instanceof ProtocolError) {
    return {
      status: null,
      type: error.name,
      message: error.message,
      request_id: error.requestID ?? null,
    };
  }
  const e = error as { name?: unknown; message?: unknown } | null;
  return {
    status: null,
    type: typeof e?.name === 'string' ? e.name : null,
    message: typeof e?.message === 'string' ? e.message : String(error),
    request_id: null,
  };
}
