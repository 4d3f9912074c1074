import { request, type Dispatcher } from 'undici';
import { countPages, type RawPage, type Target } from './target.js';

/**
 * The practical limit: a bare undici `request()` loop over a keep-alive pool, with no retry,
 * no limiter, no validation and no Observable. Whatever our library adds costs time against this.
 *
 * @returns the pages read.
 */
export function undiciPages(
  target: Target,
  checkpoint: string,
  limit: number,
  dispatcher: Dispatcher,
): Promise<number> {
  return countPages(target, checkpoint, limit, async (url, headers) => {
    const response = await request(url, { headers, dispatcher });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`undici loop: HTTP ${response.statusCode}`);
    }
    return (await response.body.json()) as RawPage;
  });
}
