import { defer, of, take, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import type { CursorPage } from '../../src/internal/paginate/next-cursor.js';
import { paginate$ } from '../../src/internal/paginate/paginate.js';

interface Page extends CursorPage {
  readonly name: string;
}

const page = (name: string, ids: string[], has_more: boolean, last_id?: string | null): Page => ({
  name,
  data: ids.map((id) => ({ id })),
  has_more,
  ...(last_id === undefined ? {} : { last_id }),
});

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A fake endpoint: `pages` keyed by the cursor that fetches them, each answered after `latency`. */
function endpoint(ts: TestScheduler, pages: Record<string, Page>, latency = '--') {
  const calls: Array<string | undefined> = [];
  const fetchPage = (cursor: string | undefined): Observable<Page> =>
    defer(() => {
      calls.push(cursor);
      const found = pages[cursor ?? 'start'];
      return found
        ? ts.createColdObservable<Page>(`${latency}(p|)`, { p: found })
        : ts.createColdObservable<Page>('-#');
    });
  return { calls, fetchPage };
}

describe('paginate$', () => {
  it('follows last_id until has_more is false, one request at a time', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const p1 = page('p1', ['a', 'b'], true, 'b');
      const p2 = page('p2', ['c', 'd'], true, 'd');
      const p3 = page('p3', ['e'], false, 'e');
      const { calls, fetchPage } = endpoint(ts, { start: p1, b: p2, d: p3 });
      expectObservable(paginate$({ fetchPage })).toBe('--a-b-(c|)', { a: p1, b: p2, c: p3 });
      ts.flush();
      expect(calls).toEqual([undefined, 'b', 'd']);
    });
  });

  it('falls back to the last item’s id when last_id is absent or null (the jobs list has none)', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const p1 = page('p1', ['a', 'b'], true);
      const p2 = page('p2', ['c'], true, null);
      const p3 = page('p3', [], false, null);
      const { calls, fetchPage } = endpoint(ts, { start: p1, b: p2, c: p3 });
      expectObservable(paginate$({ fetchPage })).toBe('--a-b-(c|)', { a: p1, b: p2, c: p3 });
      ts.flush();
      expect(calls).toEqual([undefined, 'b', 'c']);
    });
  });

  it('goes on through an empty page that still has a cursor (the official SDK stops there)', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const p1 = page('p1', ['a'], true, 'a');
      const empty = page('empty', [], true, 'x');
      const p3 = page('p3', ['b'], false, 'b');
      const { fetchPage } = endpoint(ts, { start: p1, a: empty, x: p3 });
      expectObservable(paginate$({ fetchPage })).toBe('--a-b-(c|)', { a: p1, b: empty, c: p3 });
    });
  });

  it('fails with a ProtocolError, after the pages it had, when has_more comes without a cursor', () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const p1 = page('p1', ['a'], true, 'a');
      const stuck = page('stuck', [], true, null);
      const { calls, fetchPage } = endpoint(ts, { start: p1, a: stuck });
      const names: string[] = [];
      let failure: unknown;
      paginate$({ fetchPage }).subscribe({
        next: (p) => names.push(p.name),
        error: (e: unknown) => (failure = e),
      });
      flush();
      expect(names).toEqual(['p1', 'stuck']);
      expect(failure).toBeInstanceOf(ProtocolError);
      expect((failure as ProtocolError).message).toMatch(/has_more but gives no cursor/);
      expect(calls).toEqual([undefined, 'a']);
    });
  });

  it('fails with a ProtocolError when a cursor repeats, instead of looping forever', () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const p1 = page('p1', ['a'], true, 'a');
      const loop = page('loop', ['b'], true, 'a');
      const { calls, fetchPage } = endpoint(ts, { start: p1, a: loop });
      let failure: unknown;
      const names: string[] = [];
      paginate$({ fetchPage }).subscribe({
        next: (p) => names.push(p.name),
        error: (e: unknown) => (failure = e),
      });
      flush();
      expect(names).toEqual(['p1', 'loop']);
      expect(failure).toBeInstanceOf(ProtocolError);
      expect((failure as ProtocolError).field).toBe('last_id');
      expect(calls).toEqual([undefined, 'a']);
    });
  });

  it('counts the starting cursor as seen, and starts from it', () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const { calls, fetchPage } = endpoint(ts, { s: page('p1', ['a'], true, 's') });
      let failure: unknown;
      paginate$({ fetchPage, start: 's' }).subscribe({ error: (e: unknown) => (failure = e) });
      flush();
      expect(calls).toEqual(['s']);
      expect(failure).toBeInstanceOf(ProtocolError);
    });
  });

  it('stops after maxPages, without even reading the last page’s cursor', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const p1 = page('p1', ['a'], true, 'a');
      const p2 = page('p2', ['b'], true, null); // would be a protocol error if followed
      const { fetchPage } = endpoint(ts, { start: p1, a: p2 });
      expectObservable(paginate$({ fetchPage, maxPages: 2 })).toBe('--a-(b|)', { a: p1, b: p2 });
    });
  });

  it('is cold: nothing is fetched before subscription, and each subscription pages on its own', () => {
    const ts = testScheduler();
    ts.run(({ flush }) => {
      const { calls, fetchPage } = endpoint(ts, { start: page('p1', ['a'], false, 'a') });
      const pages$ = paginate$({ fetchPage });
      flush();
      expect(calls).toEqual([]);
      pages$.subscribe();
      pages$.subscribe();
      flush();
      expect(calls).toEqual([undefined, undefined]);
    });
  });

  it('passes a page’s failure on after the pages already emitted, and fetches nothing more', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const p1 = page('p1', ['a'], true, 'a');
      const { calls, fetchPage } = endpoint(ts, { start: p1 }); // cursor 'a' has no page: error
      expectObservable(paginate$({ fetchPage })).toBe('--a#', { a: p1 });
      ts.flush();
      expect(calls).toEqual([undefined, 'a']);
    });
  });

  it('stops fetching when unsubscribed', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const pages: Record<string, Page> = {
        start: page('p1', ['a'], true, 'a'),
        a: page('p2', ['b'], true, 'b'),
      };
      const { calls, fetchPage } = endpoint(ts, pages, '----');
      expectObservable(paginate$({ fetchPage }), '^ 6ms !').toBe('----a', { a: pages.start });
      ts.flush();
      expect(calls).toEqual([undefined, 'a']);
    });
  });

  it('with `process`, requests the next page only once the previous page’s processing completes', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const p1 = page('p1', ['a', 'b'], true, 'b');
      const p2 = page('p2', ['c'], false, 'c');
      const { fetchPage } = endpoint(ts, { start: p1, b: p2 });
      const fetchTimes: number[] = [];
      const timed = (cursor: string | undefined): Observable<Page> =>
        defer(() => {
          fetchTimes.push(ts.now());
          return fetchPage(cursor);
        });
      // Processing takes its time; the values emitted are the ids.
      const slow = (p: Page): Observable<string> =>
        p.data.length === 2 ? cold('--x--y|', { x: 'a', y: 'b' }) : cold('--(z|)', { z: 'c' });
      expectObservable(paginate$({ fetchPage: timed, process: slow })).toBe('----x--y----(z|)', {
        x: 'a',
        y: 'b',
        z: 'c',
      });
      ts.flush();
      // Page 1 arrives at 2 and its processing completes at 8: only then is page 2 requested.
      expect(fetchTimes).toEqual([0, 8]);
    });
  });

  describe('with `process`, the same walk', () => {
    const ids = (p: Page): string[] => p.data.map((item) => item.id);

    it('emits every processed value in page order, then completes', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const p1 = page('p1', ['a', 'b'], true, 'b');
        const p2 = page('p2', [], true, 'b2'); // an empty page that still has a cursor
        const p3 = page('p3', ['c'], false, 'c');
        const { calls, fetchPage } = endpoint(ts, { start: p1, b: p2, b2: p3 });
        expectObservable(paginate$({ fetchPage, process: ids })).toBe('--(ab)(c|)');
        ts.flush();
        expect(calls).toEqual([undefined, 'b', 'b2']);
      });
    });

    it('stops after maxPages, processing the last page', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const p1 = page('p1', ['a'], true, 'a');
        const p2 = page('p2', ['b'], true, null); // would be a protocol error if followed
        const { calls, fetchPage } = endpoint(ts, { start: p1, a: p2 });
        expectObservable(paginate$({ fetchPage, process: ids, maxPages: 2 })).toBe('--a-(b|)');
        ts.flush();
        expect(calls).toEqual([undefined, 'a']);
      });
    });

    it('fails on a repeated cursor after the values of the pages before it', () => {
      const ts = testScheduler();
      ts.run(() => {
        const p1 = page('p1', ['a'], true, 'a');
        const p2 = page('p2', ['b'], true, 'a'); // the same cursor again: a loop
        const { fetchPage } = endpoint(ts, { start: p1, a: p2 });
        const values: string[] = [];
        let failure: unknown;
        paginate$({ fetchPage, process: ids }).subscribe({
          next: (v) => values.push(v),
          error: (e: unknown) => (failure = e),
        });
        ts.flush();
        expect(values).toEqual(['a', 'b']);
        expect(failure).toBeInstanceOf(ProtocolError);
      });
    });

    it('ends with the failure of `process`, and fetches nothing more', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const p1 = page('p1', ['a'], true, 'a');
        const { calls, fetchPage } = endpoint(ts, { start: p1, a: page('p2', ['b'], false) });
        const failing = (): Observable<string> => cold('-x#', { x: 'a' }, new Error('consumer'));
        expectObservable(paginate$({ fetchPage, process: failing })).toBe(
          '---x#',
          { x: 'a' },
          new Error('consumer'),
        );
        ts.flush();
        expect(calls).toEqual([undefined]);
      });
    });

    it('stops fetching when unsubscribed while pages arrive synchronously', () => {
      let fetched = 0;
      const fetchPage = (cursor: string | undefined): Observable<Page> => {
        fetched++;
        const n = cursor === undefined ? 0 : Number(cursor);
        return of(page(`p${n}`, [String(n + 1)], n < 50, String(n + 1)));
      };
      const values: string[] = [];
      paginate$({ fetchPage, process: ids })
        .pipe(take(2))
        .subscribe((v) => values.push(v));
      expect(values).toEqual(['1', '2']);
      expect(fetched).toBe(2);
    });

    it('stops processing and fetching when unsubscribed mid-page', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const p1 = page('p1', ['a', 'b'], true, 'b');
        const { calls, fetchPage } = endpoint(ts, { start: p1, b: page('p2', ['c'], false) });
        const slow = (): Observable<string> => cold('--x--y|', { x: 'a', y: 'b' });
        expectObservable(paginate$({ fetchPage, process: slow }), '^ 5ms !').toBe('----a');
        ts.flush();
        expect(calls).toEqual([undefined]);
      });
    });
  });
});
