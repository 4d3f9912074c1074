import { from, isObservable, map, type Observable, type ObservableInput } from 'rxjs';
import { ConfigError } from '../errors.js';

/**
 * What is wrong with a checkpoint id, or `undefined` when nothing is: an id that is empty,
 * blank, or holds a control character (a NUL from a binary file, an escape) never names a
 * checkpoint, and auditing it would only spend requests on 404s.
 *
 * @example
 * ```ts
 * checkpointIdProblem('ft:gpt-4o-mini-2024-07-18:acme:bot:abc123'); // undefined
 * checkpointIdProblem('   '); // 'is blank'
 * checkpointIdProblem('ft:\u0000'); // 'holds a control character (U+0000)'
 * ```
 */
export function checkpointIdProblem(
  id: unknown,
  { allowControl = false }: { readonly allowControl?: boolean } = {},
): string | undefined {
  if (typeof id !== 'string') return `is not a string (got ${id === null ? 'null' : typeof id})`;
  if (id === '') return 'is empty';
  if (id.trim() === '') return 'is blank';
  if (allowControl) return undefined;
  const control = controlCharacter(id);
  return control === undefined ? undefined : `holds a control character (${control})`;
}

/**
 * The first control character of a text (C0, DEL or C1), as `U+XXXX`; `undefined` if none.
 *
 * @example
 * ```ts
 * controlCharacter('ft:a\u0000b'); // 'U+0000'
 * ```
 */
export function controlCharacter(text: string): string | undefined {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
      return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/**
 * The checkpoints of an audit, checked: a list, iterable, async iterable, promise or Observable
 * of ids, never a string (which would be audited one character at a time). The shape, and
 * every id of an array, are checked at once, before any request; ids arriving later (from a
 * stream) are checked as they come, and the first bad one ends the audit. Each failure is a
 * `ConfigError` whose option names the id's position, such as `checkpoints[3]`. A control
 * character is refused in a list (what a person typed or a binary file held), but not in a
 * stream, which is most often discovery: there the name is what the server holds, and a
 * checkpoint named with an escape sequence must be audited (and shown escaped), never skipped.
 *
 * @example
 * ```ts
 * checkpointIds$(['ft:a', 'ft:b']); // Observable of 'ft:a', 'ft:b'
 * checkpointIds$('ft:a' as never); // ConfigError: checkpoints must be a list of checkpoint ids …
 * ```
 */
export function checkpointIds$(checkpoints: ObservableInput<string>): Observable<string> {
  const input: unknown = checkpoints;
  if (!isIdSource(input)) {
    const got =
      typeof input === 'string' || input instanceof String
        ? `the string ${JSON.stringify(String(input).slice(0, 60))}; to audit one checkpoint, pass ['${String(input).slice(0, 60)}']`
        : input === null || typeof input !== 'object'
          ? String(input)
          : 'an object that is neither iterable nor observable';
    throw new ConfigError(
      'checkpoints',
      `checkpoints must be a list of checkpoint ids (an array, an iterable or an Observable), got ${got}`,
    );
  }
  if (Array.isArray(input)) input.forEach((id, index) => checkId(id, index, false));
  const streamed = !Array.isArray(input);
  return from(checkpoints).pipe(map((id, index) => checkId(id, index, streamed)));
}

/** The id itself, or a `ConfigError` naming its position and what is wrong with it. */
function checkId(id: unknown, index: number, allowControl: boolean): string {
  const problem = checkpointIdProblem(id, { allowControl });
  if (problem === undefined) return id as string;
  throw new ConfigError(
    `checkpoints[${index}]`,
    `checkpoints[${index}] ${problem}: give checkpoint ids such as 'ft:gpt-4o-mini-2024-07-18:org:name:abc123'`,
  );
}

/** Whether `from()` can read ids out of it, strings excepted. */
function isIdSource(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || value instanceof String) return false;
  const v = value as Record<symbol | string, unknown>;
  return (
    Array.isArray(value) ||
    isObservable(value) ||
    typeof v[Symbol.iterator] === 'function' ||
    typeof v[Symbol.asyncIterator] === 'function' ||
    typeof v['@@observable'] === 'function' ||
    typeof v.then === 'function' ||
    typeof v.getReader === 'function'
  );
}
