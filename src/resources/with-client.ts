import { defer, finalize, type Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import { createClient } from '../client/create-client.js';

/**
 * Runs `body` with the caller's client, or with a client built from the environment for this
 * one subscription and closed when it ends. There is no module-level default client: state lives
 * in objects the user created, so two callers never share a limiter by accident.
 *
 * @example
 * ```ts
 * withClient(options.client, (client) => client.request$(spec));
 * ```
 */
export function withClient<T>(
  client: Client | undefined,
  body: (client: Client) => Observable<T>,
): Observable<T> {
  if (client) return body(client);
  return defer(() => {
    const owned = createClient();
    return body(owned).pipe(finalize(() => void owned.close()));
  });
}
