import { createHash } from 'node:crypto';

/**
 * The name of a client's bucket in a shared store: its organization and a SHA-256 of its key
 * (the admin key when it has one, as the permission requests spend it; else its project key).
 * Clients share a budget exactly when they would share it at the server; the key itself never
 * leaves the process (a hash of a high-entropy key reveals nothing usable).
 *
 * @example
 * ```ts
 * storeScope('org-acme', 'sk-admin-…'); // 'org-acme:5e88…' (64 hex digits)
 * ```
 */
export function storeScope(organization: string | undefined, apiKey: string | undefined): string {
  const credential = createHash('sha256')
    .update(apiKey ?? '')
    .digest('hex');
  return `${organization ?? 'default'}:${credential}`;
}
