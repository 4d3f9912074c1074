import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  EMPTY,
  from,
  ignoreElements,
  merge,
  mergeMap,
  Observable,
  of,
  tap,
  toArray,
  catchError,
  type ObservableInput,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import { auditLog$ } from '../resources/audit-log.js';
import {
  PERMISSION_CREATED,
  PERMISSION_DELETED,
  type AuditLogEvent,
} from '../resources/audit-log-event.js';
import { withClient } from '../resources/with-client.js';
import { auditPermissions$ } from './audit-permissions.js';
import type { ErrorDetails } from './audit-record.js';
import { ChangeState, type KnownPermission, type WatchState } from './change-state.js';
import { checkpointIds$ } from './checkpoint-ids.js';
import { allCheckpoints$ } from './discover-checkpoints.js';
import { errorDetails } from './error-details.js';

/**
 * What a change feed emits: a permission granted or revoked, the end of a snapshot or resync,
 * or a step that failed (the feed goes on).
 *
 * @example
 * ```ts
 * permissionChanges$('all', { client }).subscribe((change: PermissionChange) => {
 *   if (change.type === 'granted') console.log(`${change.project_id} may now use ${change.checkpoint}`);
 * });
 * ```
 */
export type PermissionChange = PermissionGranted | PermissionRevoked | ChangesSynced | ChangeError;

/**
 * A permission appeared: read from the audit log (`source: 'audit-log'`, with who granted it
 * and the event's id), or found by a resync that the log had not shown (`source: 'resync'`,
 * `actor` and `event_id` null, `effective_at` the permission's `created_at`).
 *
 * @example
 * ```ts
 * const change: PermissionGranted = {
 *   type: 'granted', checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd',
 *   project_id: 'proj_contractor', permission_id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB',
 *   effective_at: 1721764900, actor: null, source: 'resync', event_id: null,
 * };
 * ```
 */
export interface PermissionGranted {
  readonly type: 'granted';
  readonly checkpoint: string;
  readonly project_id: string;
  readonly permission_id: string;
  /** Unix seconds. */
  readonly effective_at: number;
  /** The audit log's `actor` (a session or an API key), or `null` when a resync found it. */
  readonly actor: unknown;
  readonly source: 'audit-log' | 'resync';
  /** The audit-log event's id, a stable id for this change; `null` from a resync. */
  readonly event_id: string | null;
}

/**
 * A permission disappeared: the same fields as {@link PermissionGranted}. A log's `deleted`
 * event names the permission only; its checkpoint and project come from what the feed knows.
 *
 * @example
 * ```ts
 * if (change.type === 'revoked') console.log(`${change.project_id} lost ${change.checkpoint}`);
 * ```
 */
export interface PermissionRevoked extends Omit<PermissionGranted, 'type'> {
  readonly type: 'revoked';
}

/**
 * A snapshot (`source: 'snapshot'`), a resync (`'resync'`) or the restore of a saved state
 * (`'state'`) is done: `checkpoints` listed (0 for a restore) and `permissions` now known.
 *
 * @example
 * ```ts
 * if (change.type === 'synced') console.info(`${change.permissions} permissions on ${change.checkpoints} checkpoints`);
 * ```
 */
export interface ChangesSynced {
  readonly type: 'synced';
  readonly source: 'snapshot' | 'resync' | 'state';
  readonly checkpoints: number;
  readonly permissions: number;
  /** Unix seconds. */
  readonly at: number;
}

/**
 * A step failed after the client's retries: a poll (tried again at the next interval, from the
 * same position), a checkpoint of a snapshot or resync (`checkpoint` set), or a resync's lookup.
 *
 * @example
 * ```ts
 * if (change.type === 'error') console.error(`${change.during} failed: ${change.error.message}`);
 * ```
 */
export interface ChangeError {
  readonly type: 'error';
  readonly during: 'poll' | 'snapshot' | 'resync';
  readonly checkpoint: string | null;
  readonly error: ErrorDetails;
  /** Unix seconds. */
  readonly at: number;
}

/**
 * Options of `permissionChanges$`. Durations are milliseconds.
 *
 * @example
 * ```ts
 * permissionChanges$('all', { client, interval: 30_000, resync: 3_600_000, state: saved, onState: save });
 * ```
 */
export interface PermissionChangesOptions {
  /** @default a client from the environment, per subscription */
  client?: Client;
  /**
   * Time between two polls of the audit log (from the end of one to the start of the next).
   * @default 60_000
   */
  interval?: number;
  /**
   * How far before the newest event seen each poll reads again: events written late, or
   * stamped by a skewed clock, within it are still found (and those already seen dropped).
   * @default 60_000
   */
  overlap?: number;
  /** Time between two full listings that repair what the log missed. @default 3_600_000 */
  resync?: number;
  /** Checkpoints listed at once by the snapshot and resyncs. @default 8 */
  concurrency?: number;
  /**
   * A state saved from `onState`: the feed continues from it, reporting what happened since,
   * without a snapshot and without repeating what was reported.
   */
  state?: WatchState;
  /**
   * Called with the state after each step that changed it, once the step's changes have been
   * emitted: save it to resume later. Not called by a quiet poll.
   */
  onState?: (state: WatchState) => void;
  /**
   * Called after each poll of the audit log, quiet ones included: for health checks, metrics
   * and progress lines.
   */
  onPoll?: (poll: PollOutcome) => void;
  /**
   * Ends the feed once the step in flight is done (a signal aborts at once instead): for a
   * clean stop whose last state is saved.
   */
  stop?: ObservableInput<unknown>;
  /** Aborts the feed at once with `APIUserAbortError`. */
  signal?: AbortSignal;
  /**
   * The scheduler of the timers and the clock; the client's, when you gave it one.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/**
 * One poll of the audit log, as `onPoll` reports it.
 *
 * @example
 * ```ts
 * permissionChanges$('all', { client, onPoll: (poll) => poll.ok && (lastOk = poll.at) });
 * ```
 */
export interface PollOutcome {
  /** When the poll ended: ms on the scheduler's clock (`Date.now()` by default). */
  readonly at: number;
  /** `false` when it failed (an `error` change was emitted). */
  readonly ok: boolean;
  /** Changes it emitted. */
  readonly changes: number;
}

const EVENT_TYPES = [PERMISSION_CREATED, PERMISSION_DELETED];
/** Events per page of a poll (the API's maximum): a quiet poll is one request. */
const PAGE = 100;

/**
 * A change feed of checkpoint permissions, as a Kubernetes informer watches a resource: list,
 * then watch from where the list ended, with a periodic resync.
 * 1. A snapshot lists the permissions of every checkpoint (`'all'`: every one discovery finds),
 *    and emits `synced`; none of them is reported as granted.
 * 2. Every `interval`, one poll of the audit log, from the newest event seen minus `overlap`,
 *    reports the `granted` and `revoked` events not yet seen. A `deleted` event names only the
 *    permission: its checkpoint comes from the feed's map of live permissions; one never seen
 *    waits for the next resync, which looks its grant up.
 * 3. Every `resync`, a full listing reports as corrections (`source: 'resync'`) what the log
 *    did not show, then emits `synced`.
 *
 * Cold; unsubscribing stops the timers and aborts the request in flight. A failed poll is an
 * `error` event and polling goes on. Between resyncs the cost is one request per quiet poll and
 * the memory is the live permissions.
 *
 * @example
 * ```ts
 * permissionChanges$(['ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd'], { client, interval: 30_000 })
 *   .pipe(filter((c) => c.type === 'granted'))
 *   .subscribe((c) => console.warn(`${c.project_id} granted ${c.checkpoint} by`, c.actor));
 * ```
 */
export function permissionChanges$(
  checkpoints: ObservableInput<string> | 'all',
  options?: PermissionChangesOptions,
): Observable<PermissionChange> {
  const o = resolveOptions(options);
  const all = checkpoints === 'all';
  const ids$ = all ? undefined : checkpointIds$(checkpoints);
  return withClient(o.client, (client) => defer(() => new Feed(client, o, ids$).run())).pipe(
    abortOnSignal(o.signal),
  );
}

interface Resolved {
  readonly client: Client | undefined;
  readonly interval: number;
  readonly overlapSeconds: number;
  readonly resync: number;
  readonly concurrency: number;
  readonly state: WatchState | undefined;
  readonly onState: ((state: WatchState) => void) | undefined;
  readonly onPoll: ((poll: PollOutcome) => void) | undefined;
  readonly stop: ObservableInput<unknown> | undefined;
  readonly signal: AbortSignal | undefined;
  readonly scheduler: SchedulerLike;
}

function resolveOptions(options: unknown): Resolved {
  const o = check.optionsObject('options', options);
  check.knownKeys('', o, [
    'client',
    'interval',
    'overlap',
    'resync',
    'concurrency',
    'state',
    'onState',
    'onPoll',
    'stop',
    'signal',
    'scheduler',
  ]);
  const ms = (name: string, value: unknown, fallback: number, min: number): number =>
    value === undefined ? fallback : check.integerIn(name, value, min, 2_147_483_647);
  return {
    client: o.client === undefined ? undefined : check.client(o.client),
    interval: ms('interval', o.interval, 60_000, 1),
    overlapSeconds: Math.ceil(ms('overlap', o.overlap, 60_000, 0) / 1000),
    resync: ms('resync', o.resync, 3_600_000, 1),
    concurrency:
      o.concurrency === undefined ? 8 : check.integerIn('concurrency', o.concurrency, 1, 256),
    state: o.state === undefined ? undefined : ChangeState.restore(o.state).snapshot(),
    onState:
      o.onState === undefined
        ? undefined
        : check.callable<(state: WatchState) => void>('onState', o.onState),
    onPoll:
      o.onPoll === undefined
        ? undefined
        : check.callable<(poll: PollOutcome) => void>('onPoll', o.onPoll),
    stop: o.stop as ObservableInput<unknown> | undefined,
    signal: o.signal === undefined ? undefined : check.signal(o.signal),
    scheduler: (o.scheduler as SchedulerLike | undefined) ?? asyncScheduler,
  };
}

/** One subscription's feed: its state, its steps, and the loop that spaces them. */
class Feed {
  #state: ChangeState | undefined;
  /** The watched checkpoints; `undefined` with `'all'`, where every checkpoint is watched. */
  #watched: Set<string> | undefined;
  #lastSyncMs = 0;
  /** The state changed since `onState` last saw it. */
  #dirty = false;

  constructor(
    readonly client: Client,
    readonly o: Resolved,
    readonly ids$: Observable<string> | undefined,
  ) {}

  run(): Observable<PermissionChange> {
    return new Observable<PermissionChange>((subscriber) => {
      const { scheduler, interval } = this.o;
      let stopping = false;
      let busy = false;
      let step: Subscription | undefined;
      let wait: Subscription | undefined;
      const runStep = (first: boolean): void => {
        if (stopping) return subscriber.complete();
        busy = true;
        step = (first ? this.#start() : this.#next()).subscribe({
          next: (change) => subscriber.next(change),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            busy = false;
            if (stopping) return subscriber.complete();
            wait = scheduler.schedule(() => runStep(false), interval);
          },
        });
      };
      const stopped = this.o.stop
        ? from(this.o.stop).subscribe(() => {
            stopping = true;
            if (!busy) {
              wait?.unsubscribe();
              subscriber.complete();
            }
          })
        : undefined;
      runStep(true);
      return () => {
        stopped?.unsubscribe();
        step?.unsubscribe();
        wait?.unsubscribe();
        // Stopped mid-step (or at its end): what was emitted is saved.
        this.#save();
      };
    });
  }

  #nowSeconds(): number {
    return Math.floor(this.o.scheduler.now() / 1000);
  }

  /** The first step: a snapshot, or the restore of a saved state. */
  #start(): Observable<PermissionChange> {
    const watched$ = this.ids$
      ? this.ids$.pipe(
          toArray(),
          tap((ids) => (this.#watched = new Set(ids))),
          ignoreElements(),
        )
      : EMPTY;
    const saved = this.o.state;
    if (saved) {
      return concat(
        watched$,
        defer(() => {
          const state = ChangeState.restore(saved);
          this.#state = state;
          this.#lastSyncMs = state.syncedAt * 1000;
          return of<PermissionChange>({
            type: 'synced',
            source: 'state',
            checkpoints: 0,
            permissions: state.permissions.size,
            at: this.#nowSeconds(),
          });
        }),
      );
    }
    return concat(
      watched$,
      defer(() => {
        this.#lastSyncMs = this.o.scheduler.now();
        const state = new ChangeState(this.#nowSeconds());
        return this.#list('snapshot').pipe(
          concatMap((listed) => {
            if ('type' in listed) return of(listed);
            for (const [id, p] of listed.permissions) state.permissions.set(id, p);
            this.#state = state;
            this.#dirty = true;
            return concat(
              of<PermissionChange>({
                type: 'synced',
                source: 'snapshot',
                checkpoints: listed.ok.size,
                permissions: state.permissions.size,
                at: this.#nowSeconds(),
              }),
              this.#saved(),
            );
          }),
        );
      }),
    );
  }

  #next(): Observable<PermissionChange> {
    return this.o.scheduler.now() - this.#lastSyncMs >= this.o.resync
      ? this.#resync()
      : this.#poll();
  }

  /** Calls `onState` with the state as it is now, if it changed: after the changes of a step. */
  #saved(): Observable<never> {
    return defer(() => {
      this.#save();
      return EMPTY;
    });
  }

  #save(): void {
    if (!this.#dirty || !this.#state) return;
    this.#dirty = false;
    this.o.onState?.(this.#state.snapshot());
  }

  #polled(ok: boolean, changes: number): Observable<never> {
    return defer(() => {
      this.o.onPoll?.({ at: this.o.scheduler.now(), ok, changes });
      return EMPTY;
    });
  }

  #inScope(checkpoint: string): boolean {
    return this.#watched === undefined || this.#watched.has(checkpoint);
  }

  /** One read of the audit log from the position minus the overlap; the new events applied. */
  #poll(): Observable<PermissionChange> {
    return defer(() => {
      const state = this.#state as ChangeState;
      const query = {
        event_types: EVENT_TYPES,
        effective_at: { gte: Math.max(0, state.position - this.o.overlapSeconds) },
        limit: PAGE,
      };
      return auditLog$(query, { client: this.client }).pipe(
        concatMap((page) => page.data),
        toArray(),
        concatMap((events) => {
          // The log is newest first; within one second its order is the order things happened.
          const ordered = [...events].reverse().sort((a, b) => a.effective_at - b.effective_at);
          let changes = 0;
          // Applied one event at a time, as its changes are emitted: a consumer that stops at
          // a change leaves a state that holds it and nothing after it (saved on the way out).
          return concat(
            from(ordered).pipe(
              concatMap((event) => defer(() => from(this.#apply(state, event)))),
              tap(() => changes++),
            ),
            defer(() => {
              state.prune(this.o.overlapSeconds);
              return concat(this.#saved(), this.#polled(true, changes));
            }),
          );
        }),
        catchError((error: unknown) =>
          concat(of(this.#error('poll', null, error)), this.#polled(false, 1)),
        ),
      );
    });
  }

  /** The changes one event makes: none when it was seen already. */
  #apply(state: ChangeState, event: AuditLogEvent): PermissionChange[] {
    if (!state.see(event.id, event.effective_at)) return [];
    this.#dirty = true;
    return this.#change(state, event);
  }

  #change(state: ChangeState, event: AuditLogEvent): PermissionChange[] {
    const base = {
      effective_at: event.effective_at,
      actor: event.actor ?? null,
      source: 'audit-log' as const,
      event_id: event.id,
    };
    const created = event[PERMISSION_CREATED];
    if (event.type === PERMISSION_CREATED && created?.id && created.data) {
      const id = created.id;
      const permission = {
        checkpoint: created.data.fine_tuned_model_checkpoint,
        project_id: created.data.project_id ?? '',
      };
      if (!this.#inScope(permission.checkpoint) || state.permissions.has(id)) return [];
      const pending = state.pending.get(id);
      if (pending) {
        // Its revocation came first (the grant's event was late): both happened.
        state.pending.delete(id);
        return [
          { type: 'granted', ...permission, permission_id: id, ...base },
          {
            type: 'revoked',
            ...permission,
            permission_id: id,
            ...base,
            effective_at: pending.effective_at,
            actor: pending.actor,
            event_id: pending.event_id,
          },
        ];
      }
      // Before the snapshot began, and not in it: revoked before, or its checkpoint failed to
      // list (then the next resync finds it). Not news either way.
      if (event.effective_at < state.baseline) return [];
      state.permissions.set(id, permission);
      return [{ type: 'granted', ...permission, permission_id: id, ...base }];
    }
    const deleted = event[PERMISSION_DELETED];
    if (event.type === PERMISSION_DELETED && deleted?.id) {
      const id = deleted.id;
      const known = state.permissions.get(id);
      if (known) {
        state.permissions.delete(id);
        return [{ type: 'revoked', ...known, permission_id: id, ...base }];
      }
      // Found gone by a resync, and reported then: its marker has done its work.
      if (state.tombstones.delete(id) || event.effective_at < state.baseline) return [];
      state.pending.set(id, {
        effective_at: event.effective_at,
        actor: base.actor,
        event_id: event.id,
      });
    }
    return [];
  }

  /**
   * Lists every watched checkpoint again and reports the difference with what the feed knows,
   * then resolves the revocations of permissions it never saw.
   */
  #resync(): Observable<PermissionChange> {
    return defer(() => {
      const state = this.#state as ChangeState;
      this.#lastSyncMs = this.o.scheduler.now();
      this.#dirty = true;
      let listedCount = 0;
      return concat(
        this.#list('resync').pipe(
          concatMap((listed) => {
            if ('type' in listed) return of(listed);
            listedCount = listed.ok.size;
            return from(this.#diff(state, listed));
          }),
        ),
        this.#resolvePending(state),
        defer(() => {
          state.syncedAt = this.#nowSeconds();
          return of<PermissionChange>({
            type: 'synced',
            source: 'resync',
            checkpoints: listedCount,
            permissions: state.permissions.size,
            at: state.syncedAt,
          });
        }),
        this.#saved(),
      );
    });
  }

  /** Lazily: each correction is applied to the state as it is emitted, not before. */
  *#diff(state: ChangeState, listed: Listing): Generator<PermissionChange> {
    const correction = (
      type: 'granted' | 'revoked',
      id: string,
      p: KnownPermission,
      effectiveAt: number,
    ): PermissionGranted | PermissionRevoked => ({
      type,
      ...p,
      permission_id: id,
      effective_at: effectiveAt,
      actor: null,
      source: 'resync',
      event_id: null,
    });
    for (const [id, p] of listed.permissions) {
      if (state.permissions.has(id)) continue;
      const pending = state.pending.get(id);
      if (pending) {
        // The log says it was revoked after the listing read it: the log is right.
        state.pending.delete(id);
        yield {
          ...correction('revoked', id, p, pending.effective_at),
          actor: pending.actor,
          event_id: pending.event_id,
        };
        continue;
      }
      state.permissions.set(id, p);
      yield correction('granted', id, p, listed.createdAt.get(id) ?? this.#nowSeconds());
    }
    for (const [id, p] of state.permissions) {
      if (!listed.ok.has(p.checkpoint) || listed.permissions.has(id)) continue;
      state.permissions.delete(id);
      state.tombstones.set(id, this.#nowSeconds());
      yield correction('revoked', id, p, this.#nowSeconds());
    }
  }

  /**
   * Looks up the grants of revoked permissions the feed never saw (100 ids per request): one in
   * a watched checkpoint is reported revoked; one not found never was in scope, or predates the log.
   */
  #resolvePending(state: ChangeState): Observable<PermissionChange> {
    return defer(() => {
      const ids = [...state.pending.keys()];
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += PAGE) chunks.push(ids.slice(i, i + PAGE));
      return from(chunks).pipe(
        concatMap((chunk) =>
          auditLog$(
            { event_types: [PERMISSION_CREATED], resource_ids: chunk, limit: PAGE },
            { client: this.client },
          ).pipe(
            concatMap((page) => page.data),
            toArray(),
            concatMap((events) => {
              const changes: PermissionChange[] = [];
              for (const event of events) {
                const created = event[PERMISSION_CREATED];
                const pending = created?.id ? state.pending.get(created.id) : undefined;
                if (!created?.id || !created.data || !pending) continue;
                if (!this.#inScope(created.data.fine_tuned_model_checkpoint)) continue;
                state.pending.delete(created.id);
                changes.push({
                  type: 'revoked',
                  checkpoint: created.data.fine_tuned_model_checkpoint,
                  project_id: created.data.project_id ?? '',
                  permission_id: created.id,
                  effective_at: pending.effective_at,
                  actor: pending.actor,
                  source: 'resync',
                  event_id: pending.event_id,
                });
              }
              for (const id of chunk) state.pending.delete(id);
              return from(changes);
            }),
            catchError((error: unknown) => of(this.#error('resync', null, error))),
          ),
        ),
      );
    });
  }

  /**
   * Lists the watched checkpoints (with `'all'`: what discovery finds, and the checkpoints of
   * known permissions); per checkpoint failure an error event, then the listing.
   */
  #list(during: 'snapshot' | 'resync'): Observable<Listing | ChangeError> {
    return defer(() => {
      const known = new Set(
        [...(this.#state?.permissions.values() ?? [])].map((p) => p.checkpoint),
      );
      const checkpoints$ = this.#watched
        ? from(this.#watched)
        : merge(allCheckpoints$({ client: this.client }), from(known));
      const listing: Listing = { permissions: new Map(), createdAt: new Map(), ok: new Set() };
      return concat(
        auditPermissions$(checkpoints$, {
          client: this.client,
          concurrency: this.o.concurrency,
        }).pipe(
          mergeMap((record): Observable<ChangeError> => {
            if (record.type === 'permission') {
              listing.permissions.set(record.id, {
                checkpoint: record.checkpoint,
                project_id: record.project_id,
              });
              listing.createdAt.set(record.id, record.created_at);
            } else if (record.type === 'checkpoint') listing.ok.add(record.checkpoint);
            else if (record.type === 'error')
              return of(this.#error(during, record.checkpoint, record.cause));
            return EMPTY;
          }),
        ),
        of(listing),
      );
    });
  }

  #error(during: ChangeError['during'], checkpoint: string | null, error: unknown): ChangeError {
    return {
      type: 'error',
      during,
      checkpoint,
      error: errorDetails(error),
      at: this.#nowSeconds(),
    };
  }
}

/** What a full listing found: the permissions, and the checkpoints listed completely. */
interface Listing {
  readonly permissions: Map<string, KnownPermission>;
  readonly createdAt: Map<string, number>;
  readonly ok: Set<string>;
}
