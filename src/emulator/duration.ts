/**
 * Formats a duration the way OpenAI's `x-ratelimit-reset-*` headers do: Go's
 * `time.Duration.String()` (`20ms`, `1s`, `1.5s`, `6m0s`, `1h0m0s`), at millisecond precision.
 * Fractions of a millisecond are rounded up so a client that waits that long is never early.
 *
 * @see https://platform.openai.com/docs/guides/rate-limits (x-ratelimit-reset-requests: "1s", "6m0s")
 * @see https://pkg.go.dev/time#Duration.String
 * @example
 * formatDuration(1500); // '1.5s'
 * formatDuration(360_000); // '6m0s'
 * formatDuration(20); // '20ms'
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  // Go prints seconds with only the fractional digits it needs: 1.5s, 1.001s, 2s.
  const seconds = `${Math.floor(millis / 1000)}${fraction(millis % 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(millis: number): string {
  return millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
}
