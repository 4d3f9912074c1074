/**
 * Whether a body that is not JSON was cut off (the start of a JSON text, stopped where more was
 * needed) or is malformed: the first is worth retrying, the second is not. Decided by reading the
 * text against the JSON grammar, not by the wording of `JSON.parse`'s error, which differs
 * between engines and versions.
 *
 * @module
 */

/** The scan needed more text than there is. */
const CUT = -1;
/** The scan met a character that no JSON text can have there. */
const BAD = -2;

/**
 * True when `text` is a proper beginning of some JSON text: every character so far fits the
 * grammar, and the text ends where a value, a string or a bracket was still open. False for a
 * blank text, a complete value (followed by anything), or a text malformed before its end.
 *
 * @example
 * ```ts
 * endsMidJSON('{"object":"list","data":[{"id":"cp_1"'); // true: cut off
 * endsMidJSON('{"object":"list"} trailing');            // false: whole, then garbage
 * endsMidJSON('<html>');                                // false: not JSON at all
 * ```
 */
export function endsMidJSON(text: string): boolean {
  if (text.trim() === '') return false;
  return value(text, 0) === CUT;
}

/** Each scan takes the index where its value starts and returns the index after it, or CUT/BAD. */
function value(text: string, start: number): number {
  const i = skipSpace(text, start);
  if (i >= text.length) return CUT;
  const c = text[i] as string;
  if (c === '{') return object(text, i + 1);
  if (c === '[') return array(text, i + 1);
  if (c === '"') return string(text, i + 1);
  if (c === '-' || (c >= '0' && c <= '9')) return number(text, i);
  for (const word of ['true', 'false', 'null']) if (word[0] === c) return literal(text, i, word);
  return BAD;
}

function object(text: string, start: number): number {
  let i = skipSpace(text, start);
  if (i >= text.length) return CUT;
  if (text[i] === '}') return i + 1;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) return CUT;
    if (text[i] !== '"') return BAD;
    i = string(text, i + 1);
    if (i < 0) return i;
    i = skipSpace(text, i);
    if (i >= text.length) return CUT;
    if (text[i] !== ':') return BAD;
    i = value(text, i + 1);
    if (i < 0) return i;
    i = skipSpace(text, i);
    if (i >= text.length) return CUT;
    if (text[i] === '}') return i + 1;
    if (text[i] !== ',') return BAD;
    i++;
  }
}

function array(text: string, start: number): number {
  let i = skipSpace(text, start);
  if (i >= text.length) return CUT;
  if (text[i] === ']') return i + 1;
  for (;;) {
    i = value(text, i);
    if (i < 0) return i;
    i = skipSpace(text, i);
    if (i >= text.length) return CUT;
    if (text[i] === ']') return i + 1;
    if (text[i] !== ',') return BAD;
    i++;
  }
}

const ESCAPES = '"\\/bfnrt';
const HEX = /^[\da-f]*$/i;

/** From just after the opening quote. */
function string(text: string, start: number): number {
  let i = start;
  for (;;) {
    if (i >= text.length) return CUT;
    const c = text[i] as string;
    if (c === '"') return i + 1;
    if (c < ' ') return BAD;
    if (c !== '\\') {
      i++;
      continue;
    }
    const escape = text[i + 1];
    if (escape === undefined) return CUT;
    if (escape === 'u') {
      const digits = text.slice(i + 2, i + 6);
      if (!HEX.test(digits)) return BAD;
      if (digits.length < 4) return CUT;
      i += 6;
    } else if (ESCAPES.includes(escape)) {
      i += 2;
    } else {
      return BAD;
    }
  }
}

const NUMBER_CHARS = /[-+.eE\d]*/y;
const WHOLE_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** What a number cut off at the end of the text may look like: `-`, `1.`, `1.5e`, `2e+`. */
const NUMBER_START = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*|\.\d+[eE][+-]?\d*|[eE][+-]?\d*)?)?$/;

function number(text: string, start: number): number {
  NUMBER_CHARS.lastIndex = start;
  const run = (NUMBER_CHARS.exec(text) as RegExpExecArray)[0];
  const end = start + run.length;
  if (WHOLE_NUMBER.test(run)) return end;
  return end >= text.length && NUMBER_START.test(run) ? CUT : BAD;
}

function literal(text: string, start: number, word: string): number {
  const found = text.slice(start, start + word.length);
  if (found === word) return start + word.length;
  return start + found.length >= text.length && word.startsWith(found) ? CUT : BAD;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  return i;
}
