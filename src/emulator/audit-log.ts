import { performance } from 'node:perf_hooks';
import type { AuditLogActor, AuditLogEvent } from './api-types.js';
import { compareKeys, type SortKey } from './page.js';

/**
 * An event as the log keeps it: sorted by `(created_at, id)` = `(effective_at, write order)`, so
 * events of one second keep the order they happened in (`id` is the zero-padded sequence number,
 * not the event id); visible
 * to the API only from `visibleAt` (a `performance.now()` time), which the `auditLogDelayMs`
 * fault pushes into the future.
 *
 * @example
 * const entry: AuditLogEntry = { created_at: 1721764900, id: 'audit_log-abc', visibleAt: 0, event };
 */
export interface AuditLogEntry extends SortKey {
  readonly visibleAt: number;
  readonly event: AuditLogEvent;
}

/**
 * The organization's audit log of checkpoint permission events, oldest first. It records only
 * what happens from `since` on (Unix seconds; `null`: seeded grants never had events), as an
 * organization that enabled audit logging after some of its grants.
 *
 * @example
 * const log = new AuditLog(1721764800);
 * log.append(event, 0);
 * log.visible().length; // 1
 */
export class AuditLog {
  readonly since: number | null;
  readonly #entries: AuditLogEntry[] = [];
  readonly #ids = new Set<string>();
  #sequence = 0;

  constructor(since: number | null) {
    this.since = since;
  }

  /** Whether an event with this id was ever written. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Records an event, visible after `delayMs`. */
  append(event: AuditLogEvent, delayMs: number): void {
    const entry: AuditLogEntry = {
      created_at: event.effective_at,
      id: String(this.#sequence++).padStart(12, '0'),
      visibleAt: delayMs > 0 ? performance.now() + delayMs : 0,
      event,
    };
    let index = this.#entries.length;
    while (index > 0 && compareKeys(this.#entries[index - 1] as SortKey, entry) > 0) index--;
    this.#entries.splice(index, 0, entry);
    this.#ids.add(event.id);
  }

  /** The entries the API shows now, oldest first. */
  visible(): AuditLogEntry[] {
    const now = performance.now();
    return this.#entries.filter((entry) => entry.visibleAt <= now);
  }

  /** Every event, visible yet or not, newest first: the ground truth. */
  events(): AuditLogEvent[] {
    return this.#entries.map((entry) => entry.event).reverse();
  }
}

/**
 * The actors of the emulated organization: the admin key (owned by the organization owner) that
 * API calls act with, and a colleague in the dashboard that `emulator.grant` and `revoke` act as.
 * The spec's `AuditLogActorApiKey.type` is `user` or `service_account`: an admin key is a
 * user's, so it is `user` here (an assumption, see docs/emulator.md).
 */
export const ACTORS = {
  adminKey: {
    type: 'api_key',
    api_key: {
      id: 'key_emulatorAdminKey0001',
      type: 'user',
      user: { id: 'user-emulatorOwner00000001', email: 'owner@acme.example' },
    },
  },
  dashboard: {
    type: 'session',
    session: {
      user: { id: 'user-emulatorColleague0002', email: 'colleague@acme.example' },
      ip_address: '203.0.113.7',
    },
  },
} as const satisfies Record<string, AuditLogActor>;

/**
 * The ids an actor answers to in the `actor_ids[]` filter: the key's tracking id and its owner's
 * user or service account id, or the session's user id.
 *
 * @example
 * actorIds(ACTORS.adminKey); // ['key_emulatorAdminKey0001', 'user-emulatorOwner00000001']
 */
export function actorIds(actor: AuditLogActor): string[] {
  if (actor.type === 'session') return [actor.session.user.id];
  const { id, user, service_account } = actor.api_key;
  return [id, ...(user ? [user.id] : []), ...(service_account ? [service_account.id] : [])];
}

/**
 * The email an actor answers to in the `actor_emails[]` filter, if a user acted.
 *
 * @example
 * actorEmail(ACTORS.dashboard); // 'colleague@acme.example'
 */
export function actorEmail(actor: AuditLogActor): string | undefined {
  return actor.type === 'session' ? actor.session.user.email : actor.api_key.user?.email;
}
