import type { AuditSummary } from '../audit/audit-record.js';

/**
 * The closing line an audit prints to stderr. Grants to archived projects are counted when there
 * are any.
 *
 * @example
 * ```ts
 * formatSummary(summary);
 * // 'Audited 300 checkpoints (298 ok, 2 failed) · 4,512 permissions · 37 violations · 412 requests (9 retries, 0 × 429) in 2.3 s\n'
 * ```
 */
export function formatSummary(s: AuditSummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const checkpoints = s.checkpoints.ok + s.checkpoints.failed;
  const skipped = s.checkpoints.skipped > 0 ? `, ${n(s.checkpoints.skipped)} already done` : '';
  const revoked = s.revoked > 0 ? ` · ${n(s.revoked)} revoked` : '';
  // A grant to an archived project still stands: flagged here, in the report's `archived`.
  const archived = s.archived > 0 ? ` · ${n(s.archived)} to archived projects` : '';
  return (
    `Audited ${n(checkpoints)} checkpoint${checkpoints === 1 ? '' : 's'} (${n(s.checkpoints.ok)} ok, ${n(s.checkpoints.failed)} failed${skipped})` +
    ` · ${n(s.permissions)} permissions · ${n(s.violations)} violation${s.violations === 1 ? '' : 's'}${archived}${revoked}` +
    ` · ${n(s.requests)} request${s.requests === 1 ? '' : 's'} (${n(s.retries)} retries, ${n(s.rateLimited)} × 429) in ${(s.elapsedMs / 1000).toFixed(1)} s\n`
  );
}
