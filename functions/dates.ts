// Dates as the site shows them: the British way, "3 March 2026", in UTC (content dates are days, not instants).
// One formatter for the whole isolate: Date#toLocaleDateString with options builds a new Intl.DateTimeFormat on
// every call, which was a measurable part of an on-demand page's CPU (README: Performance).
const LONG_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** "3 March 2026" for a date (its UTC day). */
export function formatLongDate(date: Date): string {
  return LONG_DATE.format(date);
}
