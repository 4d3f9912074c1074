import { ConfigError } from '../errors.js';

/**
 * Where a change feed stands, as plain JSON: its position in the audit log and what it knows,
 * so that a restarted watch continues exactly there (see `permissionChanges$`'s `state` and
 * `onState`). Its size is the live permissions, plus the few events within the overlap window,
 * the revocations not yet resolved and those a resync found before their events: nothing per
 * checkpoint.
 *
 * @example
 * ```ts
 * const saved: WatchState = JSON.parse(readFileSync('watch.state', 'utf8'));
 * permissionChanges$('all', { client, state: saved, onState: (s) => save(JSON.stringify(s)) });
 * ```
 */
export interface WatchState {
  readonly version: 1;
  /** Unix seconds when the first snapshot began: the log before it is the snapshot's business. */
  readonly baseline: number;
  /** The `effective_at` (Unix seconds) of the newest event seen; polls read from it minus the overlap. */
  readonly position: number;
  /** Ids of the events seen within the overlap window, with their `effective_at`: never reported twice. */
  readonly seen: Readonly<Record<string, number>>;
  /** Live permissions: permission id -> [checkpoint, project id]. */
  readonly permissions: Readonly<Record<string, readonly [string, string]>>;
  /** Revocations of permissions never seen, resolved at the next resync. */
  readonly pending: Readonly<Record<string, PendingRevocation>>;
  /**
   * Permissions a resync found gone (and reported revoked) before their `deleted` event came,
   * with the Unix seconds of that resync: when the event comes, it is not news. Each is kept
   * until its event comes or the polls no longer read that far back (like `seen`). Absent from
   * a state saved before they were kept: read as none.
   */
  readonly tombstones?: Readonly<Record<string, number>>;
  /** Unix seconds of the last snapshot or resync. */
  readonly synced_at: number;
}

/**
 * A `checkpoint.permission.deleted` event whose permission the feed never saw: the event holds
 * only the permission's id, so its checkpoint and project are found at the next resync.
 *
 * @example
 * ```ts
 * const waiting: PendingRevocation = { effective_at: 1721764900, actor: null, event_id: 'audit_log-x' };
 * ```
 */
export interface PendingRevocation {
  readonly effective_at: number;
  readonly actor: unknown;
  readonly event_id: string;
}

/** A live permission as the feed knows it. */
export interface KnownPermission {
  readonly checkpoint: string;
  readonly project_id: string;
}

/**
 * The mutable state behind a change feed: the live permissions by id, the unresolved
 * revocations, the seen-ids window and the log position. `snapshot()` turns it into a
 * {@link WatchState}; `ChangeState.restore` reads one back, checking its shape.
 *
 * @example
 * ```ts
 * const state = new ChangeState(1721764800);
 * state.permissions.set('cp_1', { checkpoint: 'ft:x', project_id: 'proj_a' });
 * JSON.stringify(state.snapshot()); // what --state saves
 * ```
 */
export class ChangeState {
  readonly permissions = new Map<string, KnownPermission>();
  readonly pending = new Map<string, PendingRevocation>();
  readonly seen = new Map<string, number>();
  /**
   * Permissions a resync found gone, with the Unix seconds of that resync: their late `deleted`
   * events are not news. In the saved state, so a restart does not report them twice.
   */
  readonly tombstones = new Map<string, number>();
  position: number;
  syncedAt: number;

  constructor(
    readonly baseline: number,
    position = baseline,
    syncedAt = baseline,
  ) {
    this.position = position;
    this.syncedAt = syncedAt;
  }

  /**
   * Marks an event seen; `false` when it already was. The position moves to the newest event.
   *
   * @example
   * ```ts
   * changeState.see('audit_log-1', 1721764900); // true, then false for the same id
   * ```
   */
  see(eventId: string, effectiveAt: number): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.set(eventId, effectiveAt);
    if (effectiveAt > this.position) this.position = effectiveAt;
    return true;
  }

  /**
   * Forgets the ids older than the overlap window: a poll never reads them again, so they
   * cannot come back, and memory stays bounded by the events of one window. The same for the
   * tombstones of revocations found before that: their events happened before the resync, so
   * a poll does not read them any more either.
   *
   * @example
   * ```ts
   * changeState.prune(60); // keeps ids with effective_at >= position - 60
   * ```
   */
  prune(overlapSeconds: number): void {
    const oldest = this.position - overlapSeconds;
    for (const [id, at] of this.seen) if (at < oldest) this.seen.delete(id);
    for (const [id, at] of this.tombstones) if (at < oldest) this.tombstones.delete(id);
  }

  /** The state as JSON-ready data. */
  snapshot(): WatchState {
    return {
      version: 1,
      baseline: this.baseline,
      position: this.position,
      seen: Object.fromEntries(this.seen),
      permissions: Object.fromEntries(
        [...this.permissions].map(([id, p]) => [id, [p.checkpoint, p.project_id] as const]),
      ),
      pending: Object.fromEntries(this.pending),
      tombstones: Object.fromEntries(this.tombstones),
      synced_at: this.syncedAt,
    };
  }

  /**
   * Reads back a saved {@link WatchState}; a `ConfigError` (option `state`) names what is wrong.
   *
   * @example
   * ```ts
   * const state = ChangeState.restore(JSON.parse(text));
   * ```
   */
  static restore(saved: unknown): ChangeState {
    const s = saved as Partial<WatchState> | null;
    const bad = (what: string): never => {
      throw new ConfigError(
        'state',
        `state is not a saved watch position (${what}); pass what onState gave, or start without state`,
      );
    };
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad('not an object');
    if (s.version !== 1) return bad(`version ${JSON.stringify(s.version)}, expected 1`);
    for (const key of ['baseline', 'position', 'synced_at'] as const) {
      if (!Number.isSafeInteger(s[key])) bad(`${key} is not an integer`);
    }
    for (const key of ['seen', 'permissions', 'pending', 'tombstones'] as const) {
      const value: unknown = s[key];
      if (key === 'tombstones' && value === undefined) continue; // saved before they were kept
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        bad(`${key} is not an object`);
    }
    const state = new ChangeState(s.baseline!, s.position!, s.synced_at!);
    for (const key of ['seen', 'tombstones'] as const) {
      for (const [id, at] of Object.entries(s[key] ?? {})) {
        if (!Number.isSafeInteger(at)) bad(`${key}.${id} is not an integer`);
        state[key].set(id, at);
      }
    }
    for (const [id, p] of Object.entries(s.permissions!)) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string')
        bad(`permissions.${id} is not [checkpoint, project_id]`);
      state.permissions.set(id, { checkpoint: p[0], project_id: p[1] });
    }
    for (const [id, p] of Object.entries(s.pending!)) {
      if (typeof p !== 'object' || p === null || !Number.isSafeInteger(p.effective_at))
        bad(`pending.${id} is not a revocation`);
      state.pending.set(id, {
        effective_at: p.effective_at,
        actor: p.actor ?? null,
        event_id: String(p.event_id),
      });
    }
    return state;
  }
}
