import {
  auditPermissions$,
  createClient,
  type AuditSummary,
  type PermissionRecord,
} from 'rx-checkpoint-permissions';
import { filter, lastValueFrom } from 'rxjs';

/** Somewhere slow to put records: a database, a queue, an HTTP API. */
export interface Store {
  insert(record: PermissionRecord): Promise<void>;
}

/**
 * Audits checkpoints into a slow store. `process` returns the insert's promise: a checkpoint's
 * next page is requested only once its previous page is stored, so memory stays bounded
 * however far the store falls behind.
 */
export async function auditInto(
  store: Store,
  checkpoints: readonly string[],
): Promise<AuditSummary> {
  const client = createClient();
  try {
    const summary = await lastValueFrom(
      auditPermissions$(checkpoints, {
        client,
        concurrency: 8,
        process: async (record) => {
          if (record.type === 'permission') await store.insert(record);
        },
      }).pipe(filter((record) => record.type === 'summary')),
    );
    return summary;
  } finally {
    await client.close();
  }
}
