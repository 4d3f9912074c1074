/**
 * The longest delay a Node timer takes: 2^31-1 ms, about 24.8 days. Node replaces a longer one
 * by 1 ms (with a `TimeoutOverflowWarning`), so a limiter told to wait 99999 hours would wake
 * every millisecond, re-arm the same timer and flood stderr: a hot loop instead of a pause.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * A delay safe to hand to any timer or `SchedulerLike.schedule`: within [0, {@link
 * MAX_TIMER_DELAY}], a negative or `NaN` delay as 0. Every timer of the library goes through it,
 * so that no server header and no option can overflow one. A wait that is clamped simply wakes
 * early and is re-armed for what is left.
 *
 * @example
 * ```ts
 * timerDelay(360_000_000_000); // 2147483647
 * timerDelay(-5); // 0
 * scheduler.schedule(work, timerDelay(pauseMs));
 * ```
 */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_DELAY ? MAX_TIMER_DELAY : ms;
}
