// Time in unix seconds, the unit every table and function uses. Functions take `now` as an argument so tests can
// control the clock; only the edges (pages, the Worker's scheduled handler) call nowSeconds().

/** A day in seconds, for lifetimes and clean-up windows. */
export const DAY = 24 * 60 * 60;

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A lifetime in words for emails and pages: 900 → "15 minutes", 3600 → "one hour", 7200 → "2 hours". */
export function durationInWords(seconds: number): string {
  const [count, unit] = seconds % 3600 === 0 ? [seconds / 3600, "hour"] : [Math.round(seconds / 60), "minute"];
  return count === 1 ? `one ${unit}` : `${count} ${unit}s`;
}
