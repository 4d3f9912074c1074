import { randomBytes } from 'node:crypto';

/**
 * Creates a generator of `x-request-id` values shaped like OpenAI's (`req_` and 32 hex digits):
 * a random prefix per emulator and a counter, unique and cheap on the hot path.
 *
 * @see https://platform.openai.com/docs/api-reference/debugging-requests
 * @example
 * const nextId = requestIds();
 * nextId(); // 'req_3f9c…0001'
 */
export function requestIds(): () => string {
  const prefix = `req_${randomBytes(8).toString('hex')}`;
  let counter = 0;
  return () => prefix + (++counter).toString(16).padStart(16, '0');
}
