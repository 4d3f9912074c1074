import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  listResponse,
  slicePage,
  type SortKey,
} from '../../../src/emulator/data/page.js';

interface Item extends SortKey {
  project: string;
}

// Ties on created_at (2, 2, 2 and 5, 5) are ordered by id.
const items: Item[] = [
  { created_at: 1, id: 'a', project: 'p' },
  { created_at: 2, id: 'b', project: 'q' },
  { created_at: 2, id: 'c', project: 'p' },
  { created_at: 2, id: 'd', project: 'q' },
  { created_at: 3, id: 'e', project: 'p' },
  { created_at: 5, id: 'f', project: 'p' },
  { created_at: 5, id: 'g', project: 'q' },
];
const keyOf = (id: string): SortKey => {
  const item = items.find((candidate) => candidate.id === id);
  if (!item) throw new Error(id);
  return item;
};
const ids = (page: { data: Item[] }) => page.data.map((item) => item.id).join('');

describe('compareKeys', () => {
  it('orders by created_at, then id', () => {
    expect([...items].reverse().sort(compareKeys)).toEqual(items);
  });
});

describe('slicePage', () => {
  it.each([
    // after, limit, order, expected ids, has_more
    [undefined, 3, 'ascending', 'abc', true],
    [undefined, 3, 'descending', 'gfe', true],
    [undefined, 7, 'ascending', 'abcdefg', false],
    [undefined, 8, 'descending', 'gfedcba', false],
    ['b', 2, 'ascending', 'cd', true],
    ['c', 10, 'ascending', 'defg', false],
    ['c', 10, 'descending', 'ba', false],
    ['e', 1, 'descending', 'd', true],
    ['a', 1, 'descending', '', false],
    ['g', 5, 'ascending', '', false],
    ['f', 1, 'ascending', 'g', false],
  ] as const)(
    'after %s, limit %d, %s -> %s (has_more %s)',
    (after, limit, order, expected, more) => {
      const page = slicePage(items, { after: after && keyOf(after), limit, order });
      expect(ids(page)).toBe(expected);
      expect(page.has_more).toBe(more);
    },
  );

  it('resumes after a key that is no longer in the list (a deleted cursor)', () => {
    const withoutC = items.filter((item) => item.id !== 'c');
    expect(ids(slicePage(withoutC, { after: keyOf('c'), limit: 2, order: 'ascending' }))).toBe(
      'de',
    );
    expect(ids(slicePage(withoutC, { after: keyOf('c'), limit: 2, order: 'descending' }))).toBe(
      'ba',
    );
  });

  it('filters before paging, and the cursor may be an item the filter drops', () => {
    const filter = (item: Item) => item.project === 'p';
    expect(ids(slicePage(items, { limit: 2, order: 'descending', filter }))).toBe('fe');
    const page = slicePage(items, { after: keyOf('d'), limit: 1, order: 'ascending', filter });
    expect(ids(page)).toBe('e');
    expect(page.has_more).toBe(true);
  });

  it('pages through every item exactly once in both orders', () => {
    for (const order of ['ascending', 'descending'] as const) {
      for (let limit = 1; limit <= 8; limit++) {
        const seen: string[] = [];
        let after: SortKey | undefined;
        for (;;) {
          const page = slicePage(items, { after, limit, order });
          seen.push(...page.data.map((item) => item.id));
          if (!page.has_more) break;
          expect(page.data).toHaveLength(limit);
          after = page.data[page.data.length - 1];
        }
        const expected = items.map((item) => item.id);
        expect(seen).toEqual(order === 'ascending' ? expected : expected.reverse());
      }
    }
  });
});

describe('listResponse', () => {
  it('sets first_id and last_id from the page', () => {
    expect(listResponse({ data: items.slice(0, 2), has_more: true })).toEqual({
      object: 'list',
      data: items.slice(0, 2),
      first_id: 'a',
      last_id: 'b',
      has_more: true,
    });
  });

  it('sets them to null on an empty page', () => {
    expect(listResponse({ data: [], has_more: false })).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });
});
