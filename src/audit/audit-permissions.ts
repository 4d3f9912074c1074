import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  filter,
  from,
  ignoreElements,
  map,
  mergeMap,
  of,
  tap,
  throwError,
  type Observable,
  type ObservableInput,
} from 'rxjs';
import type { Client } from '../client/create-client.js';
import { NotFoundError } from '../errors.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import { listPageRequestID } from '../internal/http/list-page.js';
import { pageCursor } from '../internal/paginate/next-cursor.js';
import { paginate$ } from '../internal/paginate/paginate.js';
import { pageFetcher } from '../resources/permissions.js';
import type { PermissionPage } from '../resources/permission.js';
import { withClient } from '../resources/with-client.js';
import { deletePermissionRequest } from '../resources/write-permissions.js';
import {
  resolveAuditOptions,
  type AuditOptions,
  type ResolvedAuditOptions,
} from './audit-options.js';
import type { Project } from '../resources/project.js';
import type { AuditRecord, PermissionRecord, RevocationRecord, Violation } from './audit-record.js';
import { checkpointIds$ } from './checkpoint-ids.js';
import { errorDetails } from './error-details.js';
import { findingId } from './finding-id.js';
import { Tally } from './tally.js';

/**
 * Audits many checkpoints at once: for each, every permission as a record tagged with its
 * checkpoint, checked against the allow-list; then a closing `summary`. At most `concurrency`
 * checkpoints are paged at a time, and every request passes the client's one limiter, so the
 * audit keeps within the rate limit however many checkpoints it covers.
 *
 * A checkpoint that fails (404, retries exhausted) becomes an `error` record and the others
 * carry on (or, with `failFast`, the audit ends with that error). With `process`, a checkpoint's
 * next page is requested only after its previous page's records were processed: backpressure.
 * Duplicate checkpoint ids in the input are audited once. Pages are read in ascending order, so
 * permissions granted during an audit (or between a run and its resumption) are not missed.
 *
 * Guards: `checkpoints` must be a list or stream of ids, never a string, and an empty, blank or
 * control-character id is a `ConfigError`; so is an allow-list that allows no project (unless
 * `allowEmpty`); and `revoke: 'apply'` deletes at most `maxRevocations` (100) permissions.
 *
 * @example
 * ```ts
 * auditPermissions$(allCheckpoints$({ client }), {
 *   client,
 *   allow: { projects: ['proj_platform'] },
 *   process: (record) => db.insert(record), // a promise: the next page waits for it
 * }).subscribe((record) => record.type === 'summary' && console.log(record));
 * ```
 */
export function auditPermissions$(
  checkpoints: ObservableInput<string>,
  options?: AuditOptions,
): Observable<AuditRecord> {
  const o = resolveAuditOptions(options);
  const ids$ = checkpointIds$(checkpoints);
  return withClient(o.client, (client) =>
    defer(() => {
      const tally = new Tally(client.metrics(), performance.now());
      const gate = gateFor(o);
      const budget: Budget = { left: o.maxRevocations };
      const seen = new Set<string>();
      const fresh = (checkpoint: string): boolean => {
        if (seen.has(checkpoint)) return false;
        seen.add(checkpoint);
        if (!o.done.has(checkpoint)) return true;
        tally.skipped();
        return false;
      };
      const records$ = ids$.pipe(
        filter(fresh),
        mergeMap(
          (checkpoint) => auditCheckpoint(client, checkpoint, o, gate, tally, budget),
          o.concurrency,
        ),
        tap((record) => tally.count(record)),
      );
      return concat(
        records$,
        defer(() => gate(tally.summary(client.metrics(), performance.now()))),
      ).pipe(
        catchError((error: unknown) =>
          throwError(() => (error instanceof ConsumerFailure ? error.error : error)),
        ),
      );
    }),
  ).pipe(abortOnSignal(o.signal));
}

type Gate = (record: AuditRecord) => Observable<AuditRecord>;

/** What is left of the audit's `maxRevocations`, shared by all its checkpoints. */
interface Budget {
  left: number;
}

/**
 * Emits each record once the user's `process` of it has completed. A failure of `process` is
 * the consumer's, not the checkpoint's: it is marked so that it ends the audit instead of
 * being reported as a failed checkpoint.
 */
function gateFor(o: ResolvedAuditOptions): Gate {
  const process = o.process;
  if (!process) return (record) => of(record);
  return (record) =>
    concat(
      defer(() => process(record)).pipe(
        ignoreElements(),
        catchError((error: unknown) => throwError(() => new ConsumerFailure(error))),
      ),
      of(record),
    );
}

/** A failure thrown by the consumer's `process`, on its way out of the audit. */
class ConsumerFailure {
  constructor(readonly error: unknown) {}
}

function auditCheckpoint(
  client: Client,
  checkpoint: string,
  o: ResolvedAuditOptions,
  gate: Gate,
  tally: Tally,
  budget: Budget,
): Observable<AuditRecord> {
  return defer(() => {
    // A resumed run carries over the violations of the pages an interrupted run committed.
    const violations: Violation[] = [...(o.carried[checkpoint] ?? [])];
    tally.carried(violations.length);
    let pages = 0;
    let permissions = 0;
    const query = { limit: o.limit, order: 'ascending' };
    const listing$ = paginate$<PermissionPage, AuditRecord>({
      fetchPage: pageFetcher(client, checkpoint, query),
      start: o.cursors[checkpoint],
      requestIDOf: listPageRequestID,
      process: (page) => {
        pages++;
        permissions += page.data.length;
        const found: Violation[] = [];
        const records: AuditRecord[] = page.data.map((p) => {
          const allowed = o.policy?.isAllowed(checkpoint, p.project_id);
          if (allowed === false)
            found.push({ id: p.id, project_id: p.project_id, created_at: p.created_at });
          return {
            type: 'permission',
            checkpoint,
            id: p.id,
            project_id: p.project_id,
            created_at: p.created_at,
            allowed,
            ...grantee(o.projects?.get(p.project_id)),
            ...(allowed === false ? { finding_id: findingId(checkpoint, p.project_id, p.id) } : {}),
          };
        });
        violations.push(...found);
        const after = page.has_more ? (pageCursor(page) ?? null) : null;
        records.push({
          type: 'page',
          checkpoint,
          page: pages,
          permissions: page.data.length,
          after,
          violations: found,
        });
        // Without a `process` hook there is nothing to wait for: no inner stream per record.
        return o.process ? from(records).pipe(concatMap(gate)) : from(records);
      },
    });
    return concat(
      o.listed.has(checkpoint) ? EMPTY : listing$,
      defer(() => revoke(client, checkpoint, violations, o, budget, gate)),
      defer(() =>
        gate({ type: 'checkpoint', checkpoint, permissions, violations: violations.length, pages }),
      ),
    ).pipe(
      catchError((error: unknown) =>
        error instanceof ConsumerFailure || o.failFast
          ? throwError(() => error)
          : gate({ type: 'error', checkpoint, error: errorDetails(error), cause: error }),
      ),
    );
  });
}

/**
 * Revokes (or, in a dry run, reports) each violation not yet revoked, through the limiter like
 * reads: up to `concurrency` at once, each taking its share of the budget, in order, as it
 * starts. A revocation's slot is freed only once its record has passed the gate, so a slow
 * consumer holds the DELETEs back as it holds pages back.
 */
function revoke(
  client: Client,
  checkpoint: string,
  violations: readonly Violation[],
  o: ResolvedAuditOptions,
  budget: Budget,
  gate: Gate,
): Observable<AuditRecord> {
  if (!o.revoke) return EMPTY;
  const dryRun = o.revoke === 'dry-run';
  return from(violations.filter((v) => !v.revoked)).pipe(
    mergeMap(
      (v) => defer(() => revokeOne(client, checkpoint, v, dryRun, budget)).pipe(concatMap(gate)),
      o.concurrency,
    ),
  );
}

function revokeOne(
  client: Client,
  checkpoint: string,
  v: Violation,
  dryRun: boolean,
  budget: Budget,
): Observable<RevocationRecord> {
  const base = {
    type: 'revocation',
    checkpoint,
    id: v.id,
    project_id: v.project_id,
    created_at: v.created_at,
    dryRun,
    error: undefined,
    reason: undefined,
    finding_id: findingId(checkpoint, v.project_id, v.id),
  } as const;
  if (dryRun) return of<RevocationRecord>({ ...base, deleted: false });
  if (budget.left <= 0) {
    return of<RevocationRecord>({ ...base, deleted: false, reason: 'budget-exhausted' });
  }
  budget.left--;
  return client.request$(deletePermissionRequest(checkpoint, v.id), { checkpoint }).pipe(
    map((result): RevocationRecord => ({ ...base, deleted: result.deleted })),
    // Gone already (an interrupted run's revocation, or someone else's): the goal is met.
    catchError((error: unknown) =>
      of<RevocationRecord>(
        error instanceof NotFoundError
          ? { ...base, deleted: true }
          : { ...base, deleted: false, error: errorDetails(error) },
      ),
    ),
  );
}

/** What a permission record says of its grantee, from the audit's `projects`. */
function grantee(
  project: Project | undefined,
): Pick<PermissionRecord, 'project_name' | 'project_status' | 'archived'> {
  if (!project) return { project_name: null, project_status: null, archived: false };
  // The spec gives both: `status` ('active' or 'archived') and `archived_at` (null while active).
  const archived =
    project.status === 'archived' ||
    (project.archived_at !== undefined && project.archived_at !== null);
  return {
    project_name: project.name ?? null,
    project_status: project.status ?? (archived ? 'archived' : null),
    archived,
  };
}
