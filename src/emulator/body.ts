import type { IncomingMessage } from 'node:http';
import { ApiProblem, invalidParam } from './problem.js';

const MAX_BODY_BYTES = 1 << 20;

/**
 * Reads and parses a JSON request body (at most 1 MiB).
 *
 * @throws ApiProblem 400 with OpenAI's message for a body that is not JSON; 413 for a huge one.
 * @example
 * const body = await readJson(req); // unknown: validate before use
 */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiProblem(413, {
        message: `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`,
        type: 'invalid_request_error',
      });
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw invalidParam(
      null,
      null,
      'We could not parse the JSON body of your request. (HINT: This likely means you aren’t ' +
        'using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was ' +
        'sent was not valid JSON.)',
    );
  }
}
