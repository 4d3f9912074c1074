import type { APIErrorBody } from '../../errors.js';

/**
 * What to add to a 404 when the base URL is the likely cause: the API root ends in `/v1`, and a
 * base URL without it (`http://127.0.0.1:4010`) turns every request into a bare "404 Invalid
 * URL". The one place that decides the hint; the error carries it as `hint` and at the end of
 * its message.
 *
 * No hint when the base URL ends in `/v1`, or when the 404 is an OpenAI error about the
 * checkpoint (or model) asked for: then the route was right and the thing is missing.
 *
 * @param shownBaseURL - the base URL as errors show it (userinfo already hidden)
 * @param basePath - its path, without a trailing slash
 *
 * @example
 * ```ts
 * baseURLHint(404, undefined, 'http://127.0.0.1:4010', '');
 * // 'the API root usually ends in /v1 (got http://127.0.0.1:4010)'
 * baseURLHint(404, undefined, 'https://api.openai.com/v1', '/v1'); // undefined
 * ```
 */
export function baseURLHint(
  status: number,
  error: APIErrorBody | undefined,
  shownBaseURL: string,
  basePath: string,
): string | undefined {
  if (status !== 404 || /\/v1$/.test(basePath) || aboutACheckpoint(error)) return undefined;
  return `the API root usually ends in /v1 (got ${shownBaseURL})`;
}

/** An OpenAI error naming a checkpoint or model that is missing, not a route that is. */
function aboutACheckpoint(error: APIErrorBody | undefined): boolean {
  if (!error) return false;
  const fields = `${error.param ?? ''} ${error.code ?? ''}`;
  if (/checkpoint|model/i.test(fields)) return true;
  // "Invalid URL (GET /fine_tuning/checkpoints/…)" names the path, not a missing checkpoint.
  return !/^\s*Invalid URL/i.test(error.message) && /checkpoint/i.test(error.message);
}
