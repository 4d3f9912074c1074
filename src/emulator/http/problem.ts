import type { ApiErrorBody } from '../api-types.js';
import type { Reply } from './respond.js';

/**
 * An API error the route handlers throw; it is also the {@link Reply} the server sends for it.
 * It is the emulator's own: it shares nothing with the client library's error classes.
 *
 * @example
 * throw new ApiProblem(404, { message: 'Invalid URL (GET /v1/x)', type: 'invalid_request_error' });
 */
export class ApiProblem extends Error implements Reply {
  readonly status: number;
  readonly body: ApiErrorBody;

  constructor(
    status: number,
    error: { message: string; type: string; param?: string | null; code?: string | null },
  ) {
    super(error.message);
    this.name = 'ApiProblem';
    this.status = status;
    // Every field of the spec's `Error` schema is required, `param` and `code` may be null.
    this.body = {
      error: {
        message: error.message,
        type: error.type,
        param: error.param ?? null,
        code: error.code ?? null,
      },
    };
  }
}

/**
 * A 400 `invalid_request_error` that names the offending parameter, as OpenAI's do.
 *
 * @example
 * throw invalidParam('limit', 'integer_below_min_value', "Invalid 'limit': ...");
 */
export function invalidParam(
  param: string | null,
  code: string | null,
  message: string,
): ApiProblem {
  return new ApiProblem(400, { message, type: 'invalid_request_error', param, code });
}

/**
 * A 404 `invalid_request_error` for a resource that does not exist.
 *
 * @example
 * throw notFound('fine_tuning_job_id', "Fine-tuning job 'ftjob-x' not found.");
 */
export function notFound(param: string | null, message: string): ApiProblem {
  return new ApiProblem(404, { message, type: 'invalid_request_error', param });
}

/**
 * OpenAI's answer to a method and path it does not route: 404 "Invalid URL (METHOD /path)".
 *
 * @example
 * throw invalidUrl('PUT', '/v1/fine_tuning/jobs');
 */
export function invalidUrl(method: string, path: string): ApiProblem {
  return notFound(null, `Invalid URL (${method} ${path})`);
}
