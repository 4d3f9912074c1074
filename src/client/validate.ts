import { ConfigError } from '../errors.js';
import type { Client } from './client.js';

// The checks that need no client live below every layer that takes options (the Redis store's
// among them); this module adds the one that names a client.
export * from '../internal/validate.js';

/** A client made by `createClient` (anything with its `request$`). */
export function client(value: unknown): Client {
  if (typeof (value as Client | null)?.request$ === 'function') return value as Client;
  throw new ConfigError('client', 'client must be a client made by createClient()');
}
