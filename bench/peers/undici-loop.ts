import { request, type Dispatcher } from 'undici';
import { nextAfter, pageURL, type RawPage, type Target } from './target.js';

/**
 * The practical limit: a bare undici `request()` loop over a keep-alive pool, with no retry,
 * no limiter, no validation and no Observable. Whatever our library adds costs time against this.
 *
 * @returns the pages read.
 */
export async function undiciPages(
  target: Target,
  checkpoint: string,
  limit: number,
  dispatcher: Dispatcher,
): Promise<number> {
  const headers = { authorization: `Bearer ${target.apiKey}` };
  let after: string | undefined;
  let pages = 0;
  do {
    const response = await request(pageURL(target, checkpoint, limit, after), {
      headers,
      dispatcher,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`undici loop: HTTP ${response.statusCode}`);
    }
    after = nextAfter((await response.body.json()) as RawPage);
    pages++;
  } while (after !== undefined);
  return pages;
}
