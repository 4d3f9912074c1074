import { count, lastValueFrom } from 'rxjs';
import { Agent } from 'undici';
import { library } from '../support/library.js';
import { dispatchPages } from './dispatch-loop.js';
import { fetchPages } from './fetch-loop.js';
import { sdkClient, sdkPermissionIds } from './openai-sdk.js';
import type { Target } from './target.js';
import { undiciPages } from './undici-loop.js';

/** One way of reading every page of a checkpoint, as scenario 1 times it. */
export interface SequentialContender {
  /** Reads every page once; returns how many. */
  readonly read: () => Promise<number>;
  readonly close: () => Promise<void>;
}

/** The contenders of scenario 1, in the order its tables list them. */
export const SEQUENTIAL_CONTENDERS = [
  'undici request() loop',
  'undici dispatch() loop',
  'permissions$ (ours)',
  'permissionPages (ours, pull)',
  'openai SDK for await',
  'fetch loop',
] as const;

export type SequentialContenderName = (typeof SEQUENTIAL_CONTENDERS)[number];

/**
 * Builds one contender against `target`, reading `checkpoint` at `limit` per page.
 *
 * @example
 * ```ts
 * const contender = sequentialContender('permissions$ (ours)', emulator, checkpoint, 100);
 * const pages = await contender.read();
 * ```
 */
export function sequentialContender(
  name: SequentialContenderName,
  target: Target,
  checkpoint: string,
  limit: number,
): SequentialContender {
  const { createClient, permissionPages, permissions$ } = library;
  switch (name) {
    case 'undici request() loop': {
      const agent = new Agent({ keepAliveTimeout: 10_000 });
      return {
        read: () => undiciPages(target, checkpoint, limit, agent),
        close: () => agent.close(),
      };
    }
    case 'undici dispatch() loop': {
      const agent = new Agent({ keepAliveTimeout: 10_000 });
      return {
        read: () => dispatchPages(target, checkpoint, limit, agent),
        close: () => agent.close(),
      };
    }
    case 'permissions$ (ours)': {
      const client = createClient({ adminAPIKey: target.apiKey, baseURL: target.url });
      return {
        read: () => lastValueFrom(permissions$(checkpoint, { client, limit }).pipe(count())),
        close: () => client.close(),
      };
    }
    case 'permissionPages (ours, pull)': {
      const client = createClient({ adminAPIKey: target.apiKey, baseURL: target.url });
      return {
        read: async () => {
          let pages = 0;
          for await (const _page of permissionPages(checkpoint, { client, limit })) pages++;
          return pages;
        },
        close: () => client.close(),
      };
    }
    case 'openai SDK for await': {
      const sdk = sdkClient(target);
      return {
        read: async () =>
          Math.ceil((await sdkPermissionIds(sdk, checkpoint, limit)).length / limit),
        close: async () => {},
      };
    }
    case 'fetch loop':
      return { read: () => fetchPages(target, checkpoint, limit), close: async () => {} };
  }
}
