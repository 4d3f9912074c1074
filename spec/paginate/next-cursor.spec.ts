import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { nextCursor, type CursorPage } from '../../src/internal/paginate/next-cursor.js';

const items = (...ids: string[]): Array<{ id: string }> => ids.map((id) => ({ id }));

describe('nextCursor', () => {
  it.each<[string, CursorPage, string | undefined]>([
    [
      'has_more false ends the list',
      { data: items('a', 'b'), has_more: false, last_id: 'b' },
      undefined,
    ],
    ['has_more false with no items', { data: [], has_more: false }, undefined],
    [
      'has_more false, last_id null',
      { data: items('a'), has_more: false, last_id: null },
      undefined,
    ],
    ['the cursor is last_id', { data: items('a', 'b'), has_more: true, last_id: 'b' }, 'b'],
    [
      'last_id wins over the last item',
      { data: items('a', 'b'), has_more: true, last_id: 'cp_last' },
      'cp_last',
    ],
    ['no last_id: the last item’s id', { data: items('a', 'b', 'c'), has_more: true }, 'c'],
    [
      'null last_id: the last item’s id',
      { data: items('a', 'b'), has_more: true, last_id: null },
      'b',
    ],
    [
      'empty last_id: the last item’s id',
      { data: items('a', 'b'), has_more: true, last_id: '' },
      'b',
    ],
    // The official SDK stops here (it checks data.length) and silently drops the rest.
    ['an empty page with a cursor goes on', { data: [], has_more: true, last_id: 'cp_9' }, 'cp_9'],
  ])('%s', (_name, page, cursor) => {
    expect(nextCursor(page, new Set())).toBe(cursor);
  });

  it('adds the cursor it returns to seen', () => {
    const seen = new Set(['start']);
    expect(nextCursor({ data: items('a', 'b'), has_more: true, last_id: 'b' }, seen)).toBe('b');
    expect([...seen]).toEqual(['start', 'b']);
  });

  it.each<[string, CursorPage]>([
    ['has_more false', { data: items('a'), has_more: false, last_id: 'a' }],
    ['a missing cursor', { data: [], has_more: true, last_id: null }],
    ['a repeated cursor', { data: items('x'), has_more: true, last_id: 'start' }],
  ])('leaves seen alone on %s', (_name, page) => {
    const seen = new Set(['start']);
    try {
      nextCursor(page, seen, 'req_1');
    } catch {
      // a ProtocolError, checked below
    }
    expect([...seen]).toEqual(['start']);
  });

  it.each<[string, CursorPage]>([
    ['has_more with no last_id and no items', { data: [], has_more: true }],
    ['has_more with a null last_id and no items', { data: [], has_more: true, last_id: null }],
    ['has_more with an empty last_id and no items', { data: [], has_more: true, last_id: '' }],
    ['has_more with no last_id and an item without id', { data: items(''), has_more: true }],
  ])('%s is a ProtocolError on last_id', (_name, page) => {
    const call = (): unknown => nextCursor(page, new Set(), 'req_123');
    expect(call).toThrow(ProtocolError);
    expect(call).toThrow(expect.objectContaining({ field: 'last_id', requestID: 'req_123' }));
  });

  it.each<[string, CursorPage, string[]]>([
    ['last_id is the starting after', { data: items('b'), has_more: true, last_id: 'a' }, ['a']],
    ['last_id came two pages ago', { data: items('d'), has_more: true, last_id: 'b' }, ['b', 'c']],
    ['the fallback item id repeats', { data: items('x', 'c'), has_more: true }, ['b', 'c']],
  ])('a cursor that repeats is a ProtocolError: %s', (_name, page, seenBefore) => {
    const call = (): unknown => nextCursor(page, new Set(seenBefore), 'req_5');
    expect(call).toThrow(ProtocolError);
    expect(call).toThrow(expect.objectContaining({ field: 'last_id', requestID: 'req_5' }));
  });

  it('names the repeated cursor in the message', () => {
    expect(() =>
      nextCursor({ data: items('x'), has_more: true, last_id: 'cp_loop' }, new Set(['cp_loop'])),
    ).toThrow(/cp_loop/);
  });

  it('follows a chain of pages, then stops', () => {
    const seen = new Set<string>();
    const pages: CursorPage[] = [
      { data: items('1', '2'), has_more: true, last_id: '2' },
      { data: [], has_more: true, last_id: '3' },
      { data: items('4'), has_more: true },
      { data: items('5'), has_more: false, last_id: '5' },
    ];
    expect(pages.map((page) => nextCursor(page, seen))).toEqual(['2', '3', '4', undefined]);
    expect([...seen]).toEqual(['2', '3', '4']);
  });
});
