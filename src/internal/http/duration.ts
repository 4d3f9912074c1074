const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  // Go's unitMap lists both U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU.
  '\u00b5s': 1e-3,
  '\u03bcs': 1e-3,
  ns: 1e-6,
};

/**
 * Parses a Go `time.Duration` string, the format of OpenAI's `x-ratelimit-reset-requests`
 * (`20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`; see
 * https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers), into milliseconds.
 * A bare number is taken as seconds. Anything else gives `undefined`: a header we cannot read
 * must not turn into a pause of the wrong length.
 *
 * @example
 * ```ts
 * parseDuration('6m0s'); // 360000
 * parseDuration('1.5s'); // 1500
 * parseDuration('soon'); // undefined
 * ```
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // A leading '+' is allowed by Go; a negative reset is meaningless, so '-' is not.
  const trimmed = text.trim().replace(/^\+/, '');
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (trimmed === '') return undefined;
  const part = /(\d+\.?\d*|\.\d+)(h|ms|m|s|us|\u00b5s|\u03bcs|ns)/y;
  let total = 0;
  while (part.lastIndex < trimmed.length) {
    const match = part.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}
