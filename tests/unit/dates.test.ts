// The site's date format: British day-month-year, on the date's UTC day whatever the machine's zone.
import { describe, expect, it } from "vitest";
import { formatLongDate } from "@functions/dates";

describe("formatLongDate", () => {
  it.each([
    ["2026-03-03T00:00:00Z", "3 March 2026"],
    ["2026-12-31T23:59:59Z", "31 December 2026"],
    ["2026-07-01T00:30:00+02:00", "30 June 2026"],
  ])("%s is %s", (iso, expected) => {
    expect(formatLongDate(new Date(iso))).toBe(expected);
  });
});
