import { APIError, type APIErrorInit } from '../../src/errors.js';
import { rateLimitSignalOf } from '../../src/internal/http/rate-limit-headers.js';

/**
 * An error response as the transport builds it (`sendRequest$`): the status picks the class, and
 * the pacing headers are read once, on arrival at `arrivedAt` (the wall clock by default), into
 * `rateLimit`, which is all the limiter and the retry policy read.
 */
export function responseError(
  status: number,
  init: Omit<APIErrorInit, 'status' | 'rateLimit'> = {},
  arrivedAt = Date.now(),
): APIError {
  return APIError.fromResponse(status, {
    ...init,
    rateLimit: rateLimitSignalOf(init.headers ?? {}, arrivedAt),
  });
}
