import { from, lastValueFrom, mergeMap, reduce } from 'rxjs';
import { Agent } from 'undici';
import type { Client } from '../../src/index.js';
import { library } from '../support/library.js';
import { promisePool } from '../support/promise-pool.js';
import { sdkClient, sdkPermissionIds } from './openai-sdk.js';
import type { Target } from './target.js';
import { undiciPages } from './undici-loop.js';

/** The contenders of scenario 2, in the order its table lists them. */
export const FAN_OUT_CONTENDERS = [
  { name: 'auditPermissions$ (ours)', ours: true, canned: false },
  { name: 'mergeMap over permissions$ (ours)', ours: true, canned: false },
  { name: 'openai SDK, promise pool', ours: false, canned: false },
  { name: 'undici loops, promise pool', ours: false, canned: false },
  /** Against the canned server (`workers/canned-server.ts`): the machine's floor. */
  { name: 'floor: undici loops, canned server', ours: false, canned: true },
] as const;

export type FanOutContenderName = (typeof FAN_OUT_CONTENDERS)[number]['name'];

/** What one fan-out reads, and what it must find. */
export interface FanOutWork {
  readonly checkpoints: readonly string[];
  readonly limit: number;
  readonly pages: number;
  readonly permissions: number;
}

/**
 * Reads every checkpoint of `work` at `concurrency` the way `name` does; returns the
 * permissions read (the undici loops count pages, and answer the expected total once the page
 * count is right).
 *
 * @example
 * ```ts
 * const permissions = await fanOutRead('auditPermissions$ (ours)', emulator, work, 32);
 * ```
 */
export async function fanOutRead(
  name: FanOutContenderName,
  target: Target,
  work: FanOutWork,
  concurrency: number,
): Promise<number> {
  const { checkpoints, limit } = work;
  switch (name) {
    case 'auditPermissions$ (ours)':
      return withClient(target, concurrency, async (client) => {
        // The last record is the summary; taking only it keeps the consumer's cost out of the figure.
        const last = await lastValueFrom(
          library.auditPermissions$(checkpoints, { client, concurrency, limit }),
        );
        return last.type === 'summary' ? last.permissions : NaN;
      });
    case 'mergeMap over permissions$ (ours)':
      return withClient(target, concurrency, (client) =>
        lastValueFrom(
          from(checkpoints).pipe(
            mergeMap(
              (checkpoint) => library.permissions$(checkpoint, { client, limit }),
              concurrency,
            ),
            reduce((permissions, page) => permissions + page.data.length, 0),
          ),
        ),
      );
    case 'openai SDK, promise pool': {
      const sdk = sdkClient(target);
      const outcomes = await promisePool(checkpoints, concurrency, (checkpoint) =>
        sdkPermissionIds(sdk, checkpoint, limit),
      );
      return outcomes.reduce((sum, o) => sum + (o.ok ? o.value.length : 0), 0);
    }
    case 'undici loops, promise pool':
    case 'floor: undici loops, canned server': {
      const agent = new Agent({ keepAliveTimeout: 10_000 });
      try {
        const outcomes = await promisePool(checkpoints, concurrency, (checkpoint) =>
          undiciPages(target, checkpoint, limit, agent),
        );
        const pages = outcomes.reduce((sum, o) => sum + (o.ok ? o.value : 0), 0);
        if (pages !== work.pages) throw new Error(`${name} read ${pages} pages, not ${work.pages}`);
        return work.permissions;
      } finally {
        await agent.close();
      }
    }
  }
}

/** A client sized for the concurrency: its limiter, not only the fan-out, allows that many. */
async function withClient<T>(
  target: Target,
  concurrency: number,
  body: (client: Client) => Promise<T>,
): Promise<T> {
  const client = library.createClient({
    adminAPIKey: target.apiKey,
    baseURL: target.url,
    rateLimit: { maxConcurrency: concurrency },
  });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
