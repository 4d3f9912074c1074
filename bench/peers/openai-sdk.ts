import OpenAI from 'openai';
import type { Target } from './target.js';

/**
 * The official SDK pointed at the emulator. The permission endpoints authenticate with
 * `adminAPIKey` (with `apiKey` alone the SDK throws before sending anything); everything else is
 * left at its defaults, `maxRetries: 2` included, because that is what users run, unless a
 * scenario overrides `maxRetries` to show what more retries change.
 */
export function sdkClient(target: Target, options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey: target.apiKey,
    adminAPIKey: target.apiKey,
    baseURL: target.url,
    ...options,
  });
}

/**
 * Every permission of one checkpoint through the SDK's documented `for await`, which fetches
 * the next page when the loop reaches the end of the current one.
 *
 * @returns the ids read, in order.
 */
export async function sdkPermissionIds(
  client: OpenAI,
  checkpoint: string,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const permission of client.fineTuning.checkpoints.permissions.list(checkpoint, {
    limit,
  })) {
    ids.push(permission.id);
  }
  return ids;
}
