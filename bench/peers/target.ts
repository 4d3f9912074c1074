/** Where a contender sends its requests: the emulator's URL and key. */
export interface Target {
  readonly url: string;
  readonly apiKey: string;
}

/** The page shape the hand-written loops read (the API's, with only what they need). */
export interface RawPage {
  readonly data: ReadonlyArray<{ readonly id: string }>;
  readonly has_more: boolean;
  readonly last_id?: string | null;
}

/** The URL of one page, as every peer builds it: the same query for a fair comparison. */
export function pageURL(
  target: Target,
  checkpoint: string,
  limit: number,
  after: string | undefined,
): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (after !== undefined) query.set('after', after);
  return `${target.url}/fine_tuning/checkpoints/${encodeURIComponent(checkpoint)}/permissions?${query}`;
}

/** The cursor rule of the API (and of our library): `last_id`, else the last item's id. */
export function nextAfter(page: RawPage): string | undefined {
  if (!page.has_more) return undefined;
  return page.last_id ?? page.data.at(-1)?.id;
}

/**
 * The cursor walk every bare loop shares: fetch a page by URL, follow `nextAfter` until the
 * last page. Only `getPage` differs between the peers (undici `request()`, `dispatch`, `fetch`),
 * which is what they compare.
 *
 * @returns the pages read.
 */
export async function countPages(
  target: Target,
  checkpoint: string,
  limit: number,
  getPage: (url: string, headers: Record<string, string>) => Promise<RawPage>,
): Promise<number> {
  const headers = { authorization: `Bearer ${target.apiKey}` };
  let after: string | undefined;
  let pages = 0;
  do {
    after = nextAfter(await getPage(pageURL(target, checkpoint, limit, after), headers));
    pages++;
  } while (after !== undefined);
  return pages;
}
