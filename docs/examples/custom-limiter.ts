import { auditPermissions$, createClient, type LimiterState } from 'rx-checkpoint-permissions';
import { filter, lastValueFrom, merge, toArray } from 'rxjs';

/**
 * Two audits sharing a key with other jobs: one client, so one limiter paces both. The cap of
 * 600 requests a minute leaves the rest of the key's budget to the other jobs; the limiter
 * still learns the server's own limit and keeps under whichever is lower.
 */
export async function twoAuditsOneBudget(
  teamA: readonly string[],
  teamB: readonly string[],
): Promise<{ checkpoints: number; limiter: LimiterState }> {
  const client = createClient({ rateLimit: { requestsPerMinute: 600, maxConcurrency: 4 } });
  try {
    const summaries = await lastValueFrom(
      merge(auditPermissions$(teamA, { client }), auditPermissions$(teamB, { client })).pipe(
        filter((record) => record.type === 'summary'),
        toArray(),
      ),
    );
    const checkpoints = summaries.reduce((total, summary) => total + summary.checkpoints.ok, 0);
    return { checkpoints, limiter: client.metrics().limiter };
  } finally {
    await client.close();
  }
}
