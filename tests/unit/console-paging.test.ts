// The console's pure helpers: keyset cursors and month filters (functions/staff/paging.ts) and the bar chart's scale
// (functions/staff/bar-chart.ts).
import { describe, expect, it } from "vitest";
import { cursorText, lastTwelveMonths, monthAt, pageOf, parseCursor, parseMonth } from "@functions/staff/paging";
import { barChart, niceCeiling } from "@functions/staff/bar-chart";

describe("keyset cursors", () => {
  it("round-trip, and refuse anything else", () => {
    expect(parseCursor(cursorText({ createdAt: 1_800_000_000, id: "abc-1_Z" }))).toEqual({ ok: true, value: { createdAt: 1_800_000_000, id: "abc-1_Z" } });
    expect(parseCursor(null)).toEqual({ ok: true, value: null });
    for (const bad of ["1", ".a", "1.", "1.a b", "1e3.a", "1.a;DROP", "1234567890123.a", `1.${"a".repeat(65)}`]) expect(parseCursor(bad).ok, bad).toBe(false);
  });

  it("give the next page only when a row beyond it was fetched", () => {
    const rows = [{ createdAt: 3, id: "c" }, { createdAt: 2, id: "b" }, { createdAt: 1, id: "a" }];
    expect(pageOf(rows, 2)).toEqual({ rows: rows.slice(0, 2), next: "2.b" });
    expect(pageOf(rows, 3)).toEqual({ rows, next: null });
  });
});

describe("months", () => {
  it("are UTC calendar months, across year ends", () => {
    const now = Date.UTC(2027, 0, 15, 8) / 1000;
    expect(monthAt(now)).toEqual({ label: "2027-01", start: Date.UTC(2027, 0, 1) / 1000, end: Date.UTC(2027, 1, 1) / 1000 });
    expect(monthAt(now, -1).label).toBe("2026-12");
    expect(lastTwelveMonths(now).map((m) => m.label)).toEqual(["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]);
    expect(parseMonth("2024-02")).toEqual({ ok: true, value: { label: "2024-02", start: Date.UTC(2024, 1, 1) / 1000, end: Date.UTC(2024, 2, 1) / 1000 } });
    for (const bad of ["2024-00", "2024-13", "2024-2", "1999-12", "2024-02-01"]) expect(parseMonth(bad).ok, bad).toBe(false);
  });
});

describe("the bar chart", () => {
  it("scales to a round maximum and keeps every bar inside the plot", () => {
    expect([0, 1, 3, 10, 11, 26, 999, 1001].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 50, 1000, 2000]);
    const chart = barChart([{ label: "a", value: 0 }, { label: "b", value: 30 }, { label: "c", value: 45 }]);
    expect(chart.gridlines.map((line) => line.value)).toEqual([0, 25, 50]);
    expect(chart.bars[0]!.height).toBe(0);
    expect(chart.bars[2]!.height).toBeCloseTo((45 / 50) * (chart.plot.bottom - chart.plot.top), 0);
    for (const bar of chart.bars) {
      expect(bar.y + bar.height).toBeCloseTo(chart.plot.bottom, 5);
      expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.width);
    }
  });
});
