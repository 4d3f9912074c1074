import type { Dispatcher } from 'undici';
import { countPages, type RawPage, type Target } from './target.js';

/**
 * A bare loop over undici's `dispatch`, the handler API under `request()` that our transport
 * uses: each body is collected into a string and parsed, with no stream, no abort signal, no
 * retry, no limiter, no validation and no Observable. It shows what our library adds on top of
 * its own transport; the goal itself is stated against the `request()` loop.
 *
 * @returns the pages read.
 */
export function dispatchPages(
  target: Target,
  checkpoint: string,
  limit: number,
  dispatcher: Dispatcher,
): Promise<number> {
  return countPages(target, checkpoint, limit, (url, headers) =>
    get(dispatcher, new URL(url), headers),
  );
}

function get(dispatcher: Dispatcher, url: URL, headers: Record<string, string>): Promise<RawPage> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    dispatcher.dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: 'GET', headers },
      {
        // Its presence is how undici tells this handler API from the deprecated one.
        onRequestStart: () => {},
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          if (status !== 200) reject(new Error(`dispatch loop: HTTP ${status}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawPage);
        },
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}
