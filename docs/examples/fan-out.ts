import { createClient, permissions$ } from 'rx-checkpoint-permissions';
import { from, lastValueFrom, map, mergeMap, reduce, toArray } from 'rxjs';

/** How many permissions each checkpoint has, 16 checkpoints at a time, all paced by one limiter. */
export async function countPermissions(
  checkpoints: readonly string[],
): Promise<Map<string, number>> {
  const client = createClient({ rateLimit: { maxConcurrency: 16 } });
  try {
    const counts = await lastValueFrom(
      from(checkpoints).pipe(
        mergeMap(
          (checkpoint) =>
            permissions$(checkpoint, { client, limit: 100 }).pipe(
              reduce((total, page) => total + page.data.length, 0),
              map((total) => [checkpoint, total] as const),
            ),
          16, // checkpoints in flight; the client's limiter caps requests the same way
        ),
        toArray(),
      ),
    );
    return new Map(counts);
  } finally {
    await client.close();
  }
}
