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

  it("is Intl's en-GB long date in UTC, for every day of a leap year and the years around it", () => {
    const intl = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    const differences: string[] = [];
    for (let day = 0; day < 380; day++) {
      // Each day at a different hour, so late evenings and early mornings (UTC) are covered too.
      const date = new Date(Date.UTC(2027, 11, 25 + day, (day * 7) % 24, 59));
      if (formatLongDate(date) !== intl.format(date)) differences.push(`${date.toISOString()}: ${formatLongDate(date)} ≠ ${intl.format(date)}`);
    }
    expect(differences).toEqual([]);
    expect(formatLongDate(new Date(Date.UTC(2028, 1, 29)))).toBe("29 February 2028");
  });
});
