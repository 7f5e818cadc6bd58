// The current time in unix seconds. Functions take `now` as an argument so tests can control the clock.

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
