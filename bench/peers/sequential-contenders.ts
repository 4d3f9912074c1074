import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
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
  'permissions$ (ours, traced)',
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
    case 'permissions$ (ours, traced)': {
      // The same stream with a subscriber on both diagnostics channels, as an APM agent would
      // have: the cost of building and publishing each attempt's context. The handlers only
      // count, so what is measured is the library's share, not a tracer's.
      const client = createClient({ adminAPIKey: target.apiKey, baseURL: target.url });
      let events = 0;
      const onEvent = (): void => void events++;
      const handlers = {
        start: onEvent,
        end: onEvent,
        asyncStart: onEvent,
        asyncEnd: onEvent,
        error: onEvent,
      };
      const requests = tracingChannel(library.REQUEST_CHANNEL);
      requests.subscribe(handlers);
      subscribe(library.LIMITER_CHANNEL, onEvent);
      return {
        read: () => lastValueFrom(permissions$(checkpoint, { client, limit }).pipe(count())),
        close: async () => {
          requests.unsubscribe(handlers);
          unsubscribe(library.LIMITER_CHANNEL, onEvent);
          if (events === 0) throw new Error('the traced contender saw no event');
          await client.close();
        },
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
