import { ProtocolError } from '../../errors.js';

/**
 * Small checks that a decoded JSON body has the shape the OpenAPI spec promises, each throwing a
 * {@link ProtocolError} that names the field by its path (`data[3].created_at`). They check and
 * return the same object rather than copying it, so fields the API adds later pass through.
 *
 * @example
 * ```ts
 * const check = new ShapeCheck('req_123');
 * const page = check.object(body, '');
 * check.boolean(page, 'has_more', '');
 * ```
 */
export class ShapeCheck {
  constructor(private readonly requestID?: string) {}

  fail(field: string, expected: string, actual: unknown): never {
    const got = actual === null ? 'null' : Array.isArray(actual) ? 'an array' : typeof actual;
    throw new ProtocolError(
      `Malformed response: ${field || 'body'} should be ${expected}, got ${got}`,
      { field: field || 'body', requestID: this.requestID },
    );
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'an object', value);
    }
    return value as Record<string, unknown>;
  }

  array(parent: Record<string, unknown>, key: string, path: string): unknown[] {
    const value = parent[key];
    if (!Array.isArray(value)) this.fail(join(path, key), 'an array', value);
    return value;
  }

  string(parent: Record<string, unknown>, key: string, path: string): string {
    const value = parent[key];
    if (typeof value !== 'string') this.fail(join(path, key), 'a string', value);
    return value;
  }

  /** A field the spec declares as `anyOf: [string, null]` and does not require. */
  optionalString(parent: Record<string, unknown>, key: string, path: string): void {
    const value = parent[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      this.fail(join(path, key), 'a string or null', value);
    }
  }

  /** An integer field the spec declares as `anyOf: [integer, null]` and does not require. */
  optionalInteger(parent: Record<string, unknown>, key: string, path: string): void {
    const value = parent[key];
    if (value !== undefined && value !== null && !Number.isInteger(value)) {
      this.fail(join(path, key), 'an integer or null', value);
    }
  }

  /** An object field the spec does not require: returned when present, `undefined` when absent. */
  optionalObject(
    parent: Record<string, unknown>,
    key: string,
    path: string,
  ): Record<string, unknown> | undefined {
    const value = parent[key];
    return value === undefined ? undefined : this.object(value, join(path, key));
  }

  integer(parent: Record<string, unknown>, key: string, path: string): number {
    const value = parent[key];
    if (!Number.isInteger(value)) this.fail(join(path, key), 'an integer', value);
    return value as number;
  }

  boolean(parent: Record<string, unknown>, key: string, path: string): boolean {
    const value = parent[key];
    if (typeof value !== 'boolean') this.fail(join(path, key), 'a boolean', value);
    return value;
  }

  literal(parent: Record<string, unknown>, key: string, expected: string, path: string): void {
    if (parent[key] !== expected) this.fail(join(path, key), `"${expected}"`, parent[key]);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
