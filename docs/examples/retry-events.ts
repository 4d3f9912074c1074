import { createClient, permissionItems$, type RetryEvent } from 'rx-checkpoint-permissions';
import { lastValueFrom, toArray } from 'rxjs';

/** Lists a checkpoint, logging every retry, and reports what the client spent. */
export async function listWithRetryLog(
  checkpoint: string,
): Promise<{ permissions: number; retries: RetryEvent[] }> {
  const retries: RetryEvent[] = [];
  const client = createClient({
    maxRetries: 8,
    maxRetryDelay: 2_000,
    onRetry: (event) => {
      retries.push(event);
      console.warn(
        `retry ${event.attempt} of ${event.checkpoint} in ${event.delayMs} ms: ${event.reason} (${event.requestID ?? 'no request id'})`,
      );
    },
  });
  try {
    const permissions = await lastValueFrom(
      permissionItems$(checkpoint, { client, limit: 100 }).pipe(toArray()),
    );
    const { requests, rateLimited, waitedMs } = client.metrics();
    console.info(
      `${permissions.length} permissions, ${requests} requests, ${rateLimited} × 429, ${waitedMs} ms waiting`,
    );
    return { permissions: permissions.length, retries };
  } finally {
    await client.close();
  }
}
