import { countPages, type RawPage, type Target } from './target.js';

/**
 * Node's built-in `fetch` in a loop: what a user writes without any library. It runs on the
 * undici bundled with Node, behind the WHATWG `Response` layer.
 *
 * @returns the pages read.
 */
export function fetchPages(target: Target, checkpoint: string, limit: number): Promise<number> {
  return countPages(target, checkpoint, limit, async (url, headers) => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`fetch loop: HTTP ${response.status}`);
    return (await response.json()) as RawPage;
  });
}
