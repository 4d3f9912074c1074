import { findingId } from '../audit/finding-id.js';
import type { AuditLine, GrantLine } from './audit-lines.js';

/**
 * One difference between two audits. Grants and violations carry the permission's fields and
 * its finding id; `violation-resolved` says whether the grant is gone (`removed`) or the
 * allow-list now permits it (`allowed`).
 *
 * @example
 * ```ts
 * const change: DiffChange = { change: 'checkpoint-failed', checkpoint: 'ft:…', error: '404 …' };
 * ```
 */
export type DiffChange =
  | ({ readonly change: 'grant-added' | 'grant-removed' | 'violation-new' } & GrantFields)
  | ({
      readonly change: 'violation-resolved';
      readonly reason: 'removed' | 'allowed';
    } & GrantFields)
  | {
      readonly change: 'checkpoint-appeared' | 'checkpoint-disappeared' | 'checkpoint-recovered';
      readonly checkpoint: string;
    }
  | { readonly change: 'checkpoint-failed'; readonly checkpoint: string; readonly error: string };

/** What a grant change says about the permission. */
export interface GrantFields {
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly created_at: number | undefined;
  readonly finding_id: string;
}

/** The kinds of change, in the order reports list them. */
export const CHANGE_KINDS = [
  'violation-new',
  'violation-resolved',
  'checkpoint-failed',
  'checkpoint-recovered',
  'checkpoint-appeared',
  'checkpoint-disappeared',
  'grant-added',
  'grant-removed',
] as const satisfies ReadonlyArray<DiffChange['change']>;

/**
 * How many changes of each kind, and how many grants were left uncompared because their
 * checkpoint failed in one of the audits (their fate is unknown, so neither added nor removed).
 */
export interface DiffSummary {
  readonly changes: Readonly<Record<DiffChange['change'], number>>;
  readonly uncompared: number;
}

/** An audit output that can be read (again) from its start. */
export type AuditSource = () => AsyncIterable<{ readonly record: AuditLine }>;

const OLD_VIOLATION = 1;
const SEEN = 2;

/**
 * Compares two audit outputs in bounded memory: it holds one compact key per grant of OLD (its
 * finding id, with two flag bits) and one entry per checkpoint of either, never the lines. NEW is read
 * once; OLD twice (once to learn its keys, once after NEW to report what NEW no longer has).
 * Changes are handed to `emit` as they are found, in that order: what NEW added, then the
 * checkpoints' changes, then what NEW lost.
 *
 * Failed checkpoints are handled so that a failure never looks like a fix: grants of a
 * checkpoint that failed in NEW are not "removed" (nor its violations "resolved"), and grants
 * of one that failed in OLD are not "added"; both are counted as `uncompared`. A violation is
 * "new" whenever OLD did not know it as one, even on such a checkpoint.
 *
 * @example
 * ```ts
 * const source = (path: string): AuditSource => () => readAuditLines(createReadStream(path), path);
 * const summary = await diffAudits(source('monday.jsonl'), source('tuesday.jsonl'), async (c) => {
 *   console.log(JSON.stringify(c));
 * });
 * ```
 */
export async function diffAudits(
  old: AuditSource,
  next: AuditSource,
  emit: (change: DiffChange) => Promise<void> | void,
): Promise<DiffSummary> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<
    DiffChange['change'],
    number
  >;
  let uncompared = 0;
  const report = async (change: DiffChange): Promise<void> => {
    counts[change.change]++;
    await emit(change);
  };

  const grants = new Map<string, number>();
  const oldCheckpoints = new Map<string, string | undefined>(); // checkpoint -> failure, if any
  for await (const { record } of old()) {
    if (record.kind === 'failure') oldCheckpoints.set(record.checkpoint, record.message);
    if (record.kind !== 'grant') continue;
    if (!oldCheckpoints.has(record.checkpoint)) oldCheckpoints.set(record.checkpoint, undefined);
    grants.set(keyOf(record), record.allowed === false ? OLD_VIOLATION : 0);
  }

  const newCheckpoints = new Map<string, string | undefined>();
  for await (const { record } of next()) {
    if (record.kind === 'failure') newCheckpoints.set(record.checkpoint, record.message);
    if (record.kind !== 'grant') continue;
    if (!newCheckpoints.has(record.checkpoint)) newCheckpoints.set(record.checkpoint, undefined);
    const key = keyOf(record);
    const flags = grants.get(key);
    const fields = grantFields(record, key);
    if (flags === undefined) {
      if (oldCheckpoints.get(record.checkpoint) === undefined)
        await report({ change: 'grant-added', ...fields });
      else uncompared++;
      if (record.allowed === false) await report({ change: 'violation-new', ...fields });
      continue;
    }
    if (flags & SEEN) continue; // a line repeated in NEW: reported once
    grants.set(key, flags | SEEN);
    const wasViolation = (flags & OLD_VIOLATION) !== 0;
    if (record.allowed === false && !wasViolation)
      await report({ change: 'violation-new', ...fields });
    if (record.allowed === true && wasViolation)
      await report({ change: 'violation-resolved', reason: 'allowed', ...fields });
  }

  for (const [checkpoint, failure] of newCheckpoints) {
    const before = oldCheckpoints.get(checkpoint);
    const known = oldCheckpoints.has(checkpoint);
    if (failure !== undefined && (!known || before === undefined))
      await report({ change: 'checkpoint-failed', checkpoint, error: failure });
    else if (failure === undefined && !known)
      await report({ change: 'checkpoint-appeared', checkpoint });
    else if (failure === undefined && before !== undefined)
      await report({ change: 'checkpoint-recovered', checkpoint });
  }
  for (const checkpoint of oldCheckpoints.keys())
    if (!newCheckpoints.has(checkpoint))
      await report({ change: 'checkpoint-disappeared', checkpoint });

  for await (const { record } of old()) {
    if (record.kind !== 'grant') continue;
    const key = keyOf(record);
    const flags = grants.get(key) ?? SEEN;
    if (flags & SEEN) continue;
    grants.set(key, flags | SEEN); // a line repeated in OLD is reported once
    if (newCheckpoints.get(record.checkpoint) !== undefined) {
      uncompared++;
      continue;
    }
    const fields = grantFields(record, key);
    await report({ change: 'grant-removed', ...fields });
    if (flags & OLD_VIOLATION)
      await report({ change: 'violation-resolved', reason: 'removed', ...fields });
  }
  return { changes: counts, uncompared };
}

/** Whether a diff found anything: what sets its exit code. */
export function changed(summary: DiffSummary): boolean {
  return Object.values(summary.changes).some((n) => n > 0);
}

/**
 * A grant's identity is its finding's: checkpoint, project and permission id, hashed short.
 * Recomputed, never read from the line: a file's own `finding_id` could be stale or forged.
 */
function keyOf(grant: GrantLine): string {
  return findingId(grant.checkpoint, grant.project_id, grant.id);
}

function grantFields(grant: GrantLine, key: string): GrantFields {
  return {
    checkpoint: grant.checkpoint,
    id: grant.id,
    project_id: grant.project_id,
    created_at: grant.created_at,
    finding_id: key,
  };
}
