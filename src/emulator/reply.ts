/**
 * What a route handler answers: a status and a JSON body, plus what the statistics need to know
 * about list pages.
 *
 * @example
 * const reply: Reply = { status: 200, body: page, page: { permissions: true, items: 10 } };
 */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Set on list-endpoint pages, counted in `pagesServed` once fully written. */
  readonly page?: { readonly permissions: boolean; readonly items: number };
}
