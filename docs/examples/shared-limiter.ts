import {
  auditPermissions$,
  createClient,
  redisStore,
  type AuditSummary,
  type LimiterStoreWarning,
} from 'rx-checkpoint-permissions';
import { filter, lastValueFrom } from 'rxjs';

/**
 * One of several processes auditing on the same key: its limiter keeps the token bucket, the
 * 429 pause and the learned rate in Redis, so that together they keep to the key's budget.
 * If Redis goes away, this process paces on its own until it is back, and says so.
 */
export async function auditOnSharedBudget(
  checkpoints: readonly string[],
  redisURL = process.env.OPENAI_RATE_LIMIT_REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<{ summary: AuditSummary; warnings: LimiterStoreWarning[] }> {
  const warnings: LimiterStoreWarning[] = [];
  const store = redisStore({
    url: redisURL,
    onWarning: (warning) => {
      warnings.push(warning);
      console.warn(`rate limit store: ${warning.message}`);
    },
  });
  const client = createClient({ rateLimit: { store } });
  try {
    const summary = await lastValueFrom(
      auditPermissions$(checkpoints, { client }).pipe(
        filter((record): record is AuditSummary => record.type === 'summary'),
      ),
    );
    return { summary, warnings };
  } finally {
    await client.close(); // closes the store too
  }
}
