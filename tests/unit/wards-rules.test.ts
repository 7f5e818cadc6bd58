// The wards' pure rules: postcode parsing as a table (full postcodes and districts in any spacing or case, GIR 0AA,
// London sub-districts, stray spaces, 1 MB input, look-alike letters), London times across the clock changes,
// k-anonymous counts, and decideWardAccess as a table over every reader and action.
import { describe, expect, it } from "vitest";
import { parseDistrictList, parsePostcode } from "@functions/wards/postcode";
import { formatMeetingTime, londonToUtc, utcToLondonFields } from "@functions/wards/london-time";
import { formingProgress, publicCount } from "@functions/wards/counts";
import { decideWardAccess, ORGANISER_ACTIONS, WARD_ACTIONS, type WardReader } from "@functions/wards/access";

describe("parsePostcode", () => {
  it.each([
    ["LS6 2AB", "LS6", null, "LS6 2AB"],
    ["ls6 2ab", "LS6", null, "LS6 2AB"],
    ["LS62AB", "LS6", null, "LS6 2AB"],
    ["  l s 6 2 a b ", "LS6", null, "LS6 2AB"],
    ["LS6", "LS6", null, null],
    ["ls16", "LS16", null, null],
    ["BS3 4QT", "BS3", null, "BS3 4QT"],
    ["EC1A 1BB", "EC1A", "EC1", "EC1A 1BB"],
    ["ec1a1bb", "EC1A", "EC1", "EC1A 1BB"],
    ["W1D", "W1D", "W1", null],
    ["M1 1AE", "M1", null, "M1 1AE"],
    ["SW1A 2AA", "SW1A", "SW1", "SW1A 2AA"],
    ["GIR 0AA", "GIR", null, "GIR 0AA"],
    ["gir0aa", "GIR", null, "GIR 0AA"],
    ["LS6\u00A02AB", "LS6", null, "LS6 2AB"],
  ])("%j → %s", (input, district, parent, full) => {
    expect(parsePostcode(input)).toEqual({ ok: true, district, parent, full });
  });

  it.each([
    ["", /Enter a postcode/],
    ["   ", /Enter a postcode/],
    ["LS6 2A", /does not look like a UK postcode/],
    ["QS6 2AB", /does not look like/],
    ["LS6 2CB", /does not look like/],
    ["12345", /does not look like/],
    ["LS", /does not look like/],
    ["LS6 2AB 3CD", /does not look like/],
    ["ЕС1А 1ВВ", /only the letters A to Z/],
    ["ＬＳ６", /only the letters A to Z/],
    ["LS6-2AB", /only the letters A to Z/],
    ["<script>", /only the letters A to Z/],
    ["LS6 2AB".repeat(3), /too long/],
    ["x".repeat(1024 * 1024), /too long/],
  ])("%# is refused with a clear message", (input, message) => {
    const result = parsePostcode(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("reads a district list, refusing full postcodes", () => {
    expect(parseDistrictList("ls6, LS16  bs3;LS6")).toEqual({ ok: true, districts: ["BS3", "LS16", "LS6"] });
    expect(parseDistrictList("LS6 2AB").ok).toBe(false);
    expect(parseDistrictList("").ok).toBe(false);
    expect(parseDistrictList("LS6 ".repeat(41)).ok).toBe(false);
  });
});

describe("London times", () => {
  const iso = (date: string, time: string) => {
    const result = londonToUtc(date, time);
    return result.ok ? new Date(result.seconds * 1000).toISOString() : result.message;
  };
  it("uses summer time before the October change and GMT after it", () => {
    expect(iso("2026-10-24", "19:00")).toBe("2026-10-24T18:00:00.000Z");
    expect(iso("2026-10-25", "19:00")).toBe("2026-10-25T19:00:00.000Z");
    // 01:30 happens twice that night: the first (summer-time) occurrence.
    expect(iso("2026-10-25", "01:30")).toBe("2026-10-25T00:30:00.000Z");
  });
  it("uses GMT before the March change and summer time after it; the skipped hour does not exist", () => {
    expect(iso("2027-03-27", "19:00")).toBe("2027-03-27T19:00:00.000Z");
    expect(iso("2027-03-28", "19:00")).toBe("2027-03-28T18:00:00.000Z");
    expect(iso("2027-03-28", "01:30")).toMatch(/clocks go forward/);
  });
  it("refuses impossible dates and times, and formats back", () => {
    expect(iso("2026-02-30", "19:00")).toMatch(/does not exist/);
    expect(iso("2026-10-25", "25:00")).toMatch(/does not exist/);
    expect(iso("25/10/2026", "19:00")).toMatch(/year, month and day/);
    expect(iso("2026-10-25", "7pm")).toMatch(/24-hour/);
    const start = Date.parse("2026-11-03T19:00:00Z") / 1000;
    expect(utcToLondonFields(start)).toEqual({ date: "2026-11-03", time: "19:00" });
    expect(formatMeetingTime(start, start + 7200)).toBe("Tuesday 3 November 2026, 19:00–21:00");
  });
});

describe("k-anonymous counts", () => {
  it.each([[0, "fewer than 5"], [1, "fewer than 5"], [4, "fewer than 5"], [5, "5"], [12, "12"]])("%i → %s", (n, shown) => {
    expect(publicCount(n)).toBe(shown);
  });
  it("shows forming progress without small numbers", () => {
    expect(formingProgress(12, 20)).toBe("12 of 20 neighbours");
    expect(formingProgress(3, 20)).toBe("fewer than 5 of 20 neighbours");
  });
});

describe("decideWardAccess", () => {
  const A = { id: "ward-a" };
  const readers: Record<string, WardReader> = {
    visitor: null,
    unverified: { userId: "u0", emailVerified: false, wardId: "ward-a", organiserOf: null },
    outsider: { userId: "u1", emailVerified: true, wardId: null, organiserOf: null },
    memberOfB: { userId: "u2", emailVerified: true, wardId: "ward-b", organiserOf: null },
    memberOfA: { userId: "u3", emailVerified: true, wardId: "ward-a", organiserOf: null },
    organiserOfB: { userId: "u4", emailVerified: true, wardId: "ward-b", organiserOf: "ward-b" },
    organiserOfA: { userId: "u5", emailVerified: true, wardId: "ward-a", organiserOf: "ward-a" },
  };
  const expected = (name: string, action: (typeof WARD_ACTIONS)[number]): string => {
    if (action === "ward.view") return "allow";
    if (name === "visitor") return "sign-in";
    if (name === "unverified") return "verify";
    if (ORGANISER_ACTIONS.has(action)) return name === "organiserOfA" ? "allow" : "forbidden";
    if (action === "ward.join") return name === "memberOfA" || name === "organiserOfA" ? "forbidden" : "allow";
    return name === "memberOfA" || name === "organiserOfA" ? "allow" : "forbidden";
  };
  const table = Object.keys(readers).flatMap((name) => WARD_ACTIONS.map((action) => [name, action] as const));
  it.each(table)("%s / %s", (name, action) => {
    expect(decideWardAccess(readers[name]!, A, action)).toBe(expected(name, action));
  });
  it("spot checks the table's rule", () => {
    expect(decideWardAccess(readers.organiserOfB!, A, "meeting.create")).toBe("forbidden");
    expect(decideWardAccess(readers.memberOfA!, A, "notice.post")).toBe("forbidden");
    expect(decideWardAccess(readers.memberOfA!, A, "meeting.rsvp")).toBe("allow");
    expect(decideWardAccess(readers.memberOfB!, A, "ward.join")).toBe("allow");
  });
});
