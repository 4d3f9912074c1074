import { nextAfter, pageURL, type RawPage, type Target } from './target.js';

/**
 * Node's built-in `fetch` in a loop: what a user writes without any library. It runs on the
 * undici bundled with Node, behind the WHATWG `Response` layer.
 *
 * @returns the pages read.
 */
export async function fetchPages(
  target: Target,
  checkpoint: string,
  limit: number,
): Promise<number> {
  const headers = { authorization: `Bearer ${target.apiKey}` };
  let after: string | undefined;
  let pages = 0;
  do {
    const response = await fetch(pageURL(target, checkpoint, limit, after), { headers });
    if (response.status !== 200) throw new Error(`fetch loop: HTTP ${response.status}`);
    after = nextAfter((await response.json()) as RawPage);
    pages++;
  } while (after !== undefined);
  return pages;
}
