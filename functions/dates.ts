// Dates as the site shows them: the British way, "3 March 2026", in UTC (content dates are days, not instants).
// Written out from the date's UTC parts rather than with Intl.DateTimeFormat: even one formatter kept for the whole
// isolate cost about 0.2 ms of CPU per call inside workerd (ICU), a measurable part of an on-demand page (README:
// Performance), and this format has no locale rules beyond the English month names. The unit test checks it
// against Intl's en-GB long format, day by day.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "3 March 2026" for a date (its UTC day). */
export function formatLongDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
