import { concat, from, ignoreElements, type ObservableInput } from 'rxjs';
import type { AuditOptions } from './audit-options.js';
import { auditPermissions$ } from './audit-permissions.js';
import type { AuditRecord } from './audit-record.js';
import { pull } from '../internal/paginate/pull.js';

/**
 * The audit as a pull-based `AsyncIterable`, for `for await` and `stream.Readable.from`: a
 * checkpoint's next page is requested only once you have taken every record of its previous
 * page, so a slow loop (or a slow pipe downstream) holds memory at O(concurrency × page size).
 * Breaking out of the loop aborts the requests in flight.
 *
 * @example
 * ```ts
 * for await (const record of auditPermissions(['ft:…:ckpt-step-10', 'ft:…:ckpt-step-20'], { client })) {
 *   if (record.type === 'permission' && record.allowed === false) await ticket(record);
 * }
 * ```
 */
export function auditPermissions(
  checkpoints: ObservableInput<string>,
  options: AuditOptions = {},
): AsyncIterable<AuditRecord> {
  const { process } = options;
  return pull<AuditRecord>((gate) =>
    auditPermissions$(checkpoints, {
      ...options,
      process: process
        ? (record) => concat(from(process(record)).pipe(ignoreElements()), gate(record))
        : gate,
    }),
  );
}
