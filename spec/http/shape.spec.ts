import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import { ShapeCheck } from '../../src/internal/http/shape.js';

/** Runs `fn` and returns the ProtocolError it throws (failing the test if it throws nothing else). */
function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

describe('ShapeCheck', () => {
  const check = new ShapeCheck('req_42');

  describe('object', () => {
    it.each([[{}], [{ a: 1 }]])('accepts %j and returns the same object', (value) => {
      expect(check.object(value, 'data[0]')).toBe(value);
    });

    it.each([
      [null, 'null'],
      [[], 'an array'],
      ['x', 'string'],
      [1, 'number'],
      [true, 'boolean'],
      [undefined, 'undefined'],
    ])('rejects %j (got %s)', (value, got) => {
      const error = protocolError(() => check.object(value, 'data[3]'));
      expect(error.field).toBe('data[3]');
      expect(error.requestID).toBe('req_42');
      expect(error.message).toContain('data[3]');
      expect(error.message).toContain('an object');
      expect(error.message).toContain(got);
      // The request id is a field, not text in the message.
      expect(error.message).not.toContain('req_42');
      expect(error.truncated).toBe(false);
    });

    it('names the whole body "body" when the path is empty', () => {
      const error = protocolError(() => check.object('<html>', ''));
      expect(error.field).toBe('body');
      expect(error.message).toContain('body');
    });
  });

  // Each field check: [method, accepted values, rejected values, what the message says is expected]
  describe.each([
    ['string', ['', 'cp_1'], [1, null, undefined, {}, []], 'a string'],
    ['integer', [0, 1721764867, -1], [1.5, '1', null, undefined, Number.NaN], 'an integer'],
    ['boolean', [true, false], ['true', 0, null, undefined], 'a boolean'],
    ['array', [[], [1]], [{}, 'x', null, undefined], 'an array'],
  ] as const)('%s', (method, good, bad, expected) => {
    it.each(good.map((v) => [v]))('accepts %j', (value) => {
      expect(check[method]({ f: value }, 'f', 'data[1]')).toEqual(value);
    });

    it.each(bad.map((v) => [v]))('rejects %j with the field path', (value) => {
      const error = protocolError(() => check[method]({ f: value }, 'f', 'data[1]'));
      expect(error.field).toBe('data[1].f');
      expect(error.message).toContain('data[1].f');
      expect(error.message).toContain(expected);
    });

    it('names a top-level field by its bare name', () => {
      const error = protocolError(() => check[method]({}, 'has_more', ''));
      expect(error.field).toBe('has_more');
    });
  });

  describe('optionalString (anyOf: [string, null], not required)', () => {
    it.each([[{ f: 'x' }], [{ f: '' }], [{ f: null }], [{}]])('accepts %j', (parent) => {
      expect(() => check.optionalString(parent, 'f', '')).not.toThrow();
    });

    it.each([[1], [true], [{}], [[]]])('rejects %j', (value) => {
      const error = protocolError(() => check.optionalString({ f: value }, 'f', ''));
      expect(error.field).toBe('f');
      expect(error.message).toContain('a string or null');
    });
  });

  describe('literal', () => {
    it('accepts the exact value', () => {
      expect(() => check.literal({ object: 'list' }, 'object', 'list', '')).not.toThrow();
    });

    it.each([['List'], ['page'], [null], [undefined]])('rejects %j', (value) => {
      const error = protocolError(() => check.literal({ object: value }, 'object', 'list', 'x'));
      expect(error.field).toBe('x.object');
      expect(error.message).toContain('"list"');
    });
  });

  it('leaves the request id out of the message when there is none', () => {
    const error = protocolError(() => new ShapeCheck().string({}, 'id', ''));
    expect(error.requestID).toBeUndefined();
    expect(error.message).not.toContain('request');
  });
});
