import type { ConnectionOptions } from './connection-options.js';
import type { RateLimitOptions } from './rate-limit-options.js';
import type { RetryOptions } from './retry-options.js';

/**
 * Everything `createClient` accepts. Every option is optional: by default the keys and URL come
 * from the environment, as with the official SDK.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { timeout: 10_000, rateLimit: { maxConcurrency: 4 } };
 * const client = createClient(options); // adminAPIKey from OPENAI_ADMIN_KEY, apiKey from OPENAI_API_KEY
 * ```
 */
export interface ClientOptions extends ConnectionOptions, RetryOptions {
  /** Pacing, concurrency and the retry budget, shared by every stream of the client. */
  rateLimit?: RateLimitOptions;
}
