// One clock for the whole SDK. Token times (`iat`, `exp`: seconds) and logout markers and
// session start times (epoch ms) are all read from the same `clock`, so one options object can
// feed validation and `applyLogout` without two units to confuse. Like jose's `currentDate`,
// the clock gives a Date; only this file turns it into numbers.

/** Returns the current time; default the system clock. Pass e.g. `() => new Date('2030-01-01')` in tests. */
export type Clock = () => Date;

/** Milliseconds since the epoch, by `clock` (the system clock when absent). */
export function epochMillis(clock: Clock | undefined): number {
  if (!clock) return Date.now();
  const now = clock();
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  // NaN would make every time comparison false, so every token would pass: refuse it.
  if (!Number.isFinite(ms)) throw new TypeError('clock() must return a valid Date');
  return ms;
}

/** Whole seconds since the epoch (JWT NumericDate, RFC 7519 §2), by `clock`. */
export function epochSeconds(clock: Clock | undefined): number {
  return Math.floor(epochMillis(clock) / 1000);
}

/**
 * The `now` option of earlier releases meant seconds in validation and milliseconds in
 * `applyLogout`; which one a caller meant cannot be told, so it is refused rather than guessed.
 */
export function rejectLegacyNow(options: object): void {
  if ('now' in options)
    throw new TypeError(
      'The `now` option is gone: pass `clock: () => Date` (one clock for token times and logout markers)',
    );
}
