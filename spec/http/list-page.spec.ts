import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { parseListPage, type ItemParser } from '../../src/internal/http/list-page.js';

// Items need only an `id` here; permission items are covered in spec/resources/permission.spec.ts.
const parseItem: ItemParser<{ id: string }> = (item, path, check) => {
  check.string(check.object(item, path), 'id', path);
  return item as { id: string };
};

function page(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: 'list',
    data: [{ id: 'a' }, { id: 'b' }],
    first_id: 'a',
    last_id: 'b',
    has_more: false,
    ...overrides,
  };
}

function without(key: string): Record<string, unknown> {
  const body = page();
  delete body[key];
  return body;
}

function fieldOf(body: unknown): string | undefined {
  try {
    parseListPage(body, 'req_7', parseItem);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).requestID).toBe('req_7');
    return (error as ProtocolError).field;
  }
  throw new Error('expected a ProtocolError');
}

// The spec's list schemas require only `object` ("list"), `data` and `has_more`; `first_id` and
// `last_id` are `anyOf: [string, null]` and optional.
describe('parseListPage', () => {
  it.each([
    ['a full page', page()],
    ['an empty page', page({ data: [], first_id: null, last_id: null })],
    ['null first_id and last_id', page({ first_id: null, last_id: null })],
    [
      'no first_id nor last_id (the jobs list)',
      (() => {
        const body = without('first_id');
        delete body.last_id;
        return body;
      })(),
    ],
    ['has_more true', page({ has_more: true })],
    ['fields the spec does not list yet', page({ next_page_token: 'x', total: 2 })],
  ])('accepts %s and returns the very same object', (_name, body) => {
    expect(parseListPage(body, undefined, parseItem)).toBe(body);
  });

  it('preserves extra fields on the page and its items', () => {
    const body = page({ data: [{ id: 'a', extra: { nested: true } }], region: 'eu' });
    const parsed = parseListPage(body, undefined, parseItem) as unknown as Record<string, unknown>;
    expect(parsed.region).toBe('eu');
    expect(parsed.data).toEqual([{ id: 'a', extra: { nested: true } }]);
  });

  it.each([
    ['a body that is not an object', 'Bad Gateway', 'body'],
    ['a null body', null, 'body'],
    ['an array body', [], 'body'],
    ['object is not "list"', page({ object: 'page' }), 'object'],
    ['object missing', without('object'), 'object'],
    ['has_more missing', without('has_more'), 'has_more'],
    ['has_more a string', page({ has_more: 'false' }), 'has_more'],
    ['has_more null', page({ has_more: null }), 'has_more'],
    ['data missing', without('data'), 'data'],
    ['data an object', page({ data: {} }), 'data'],
    ['data null', page({ data: null }), 'data'],
    ['first_id a number', page({ first_id: 1 }), 'first_id'],
    ['last_id a number', page({ last_id: 2 }), 'last_id'],
    ['last_id an object', page({ last_id: {} }), 'last_id'],
    ['an item that is null', page({ data: [{ id: 'a' }, null] }), 'data[1]'],
    ['an item that is a string', page({ data: ['a'] }), 'data[0]'],
    ['an item without its id', page({ data: [{ id: 'a' }, { id: 'b' }, {}] }), 'data[2].id'],
    ['an item with a numeric id', page({ data: [{ id: 'a' }, { id: 9 }] }), 'data[1].id'],
  ])('rejects %s, naming the field %j', (_name, body, field) => {
    expect(fieldOf(body)).toBe(field);
  });

  it('puts the field in the message, and the request id in its field', () => {
    try {
      parseListPage(page({ data: [{ id: 'a' }, { id: 9 }] }), 'req_7', parseItem);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/data\[1\]\.id/);
      expect((error as ProtocolError).requestID).toBe('req_7');
      expect((error as Error).message).not.toContain('req_7');
    }
  });

  it('gives each item its index path', () => {
    const paths: string[] = [];
    parseListPage(
      page({ data: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }),
      undefined,
      (item, path) => {
        paths.push(path);
        return item as { id: string };
      },
    );
    expect(paths).toEqual(['data[0]', 'data[1]', 'data[2]']);
  });
});
