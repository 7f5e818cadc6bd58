// Who may write to which audience (functions/letters/access.ts), as a written-out table: every site role × being an
// organiser of this ward, of another ward or of none × every audience. A change to the rule shows up here as a
// changed row. And which audiences may read member-only text.
import { describe, expect, it } from "vitest";
import { decideLetterAudience, mayQuoteMemberText, staffAudiences } from "@functions/letters/access";
import { LETTER_AUDIENCES, type LetterAudience } from "@functions/letters/audience";
import type { SiteRole } from "@functions/staff/access";

const THIS_WARD = "ward-a";
const OTHER_WARD = "ward-b";
type Organiser = "this ward" | "other ward" | "none";
const organiserOf: Record<Organiser, string | null> = { "this ward": THIS_WARD, "other ward": OTHER_WARD, none: null };

/** role, organiser of, essays topic, this ward, monthly donors. */
const TABLE: Array<[SiteRole, Organiser, boolean, boolean, boolean]> = [
  ["member", "none", false, false, false],
  ["member", "other ward", false, false, false],
  ["member", "this ward", false, true, false],
  ["editor", "none", true, false, false],
  ["editor", "other ward", true, false, false],
  ["editor", "this ward", true, true, false],
  ["admin", "none", true, true, true],
  ["admin", "other ward", true, true, true],
  ["admin", "this ward", true, true, true],
  ["owner", "none", true, true, true],
  ["owner", "other ward", true, true, true],
  ["owner", "this ward", true, true, true],
];

describe("decideLetterAudience", () => {
  it("has a row for every role and organiser case", () => expect(TABLE).toHaveLength(4 * 3));
  for (const [role, organiser, essays, ward, donors] of TABLE) {
    const writer = { role, organiserOf: organiserOf[organiser] };
    const expected: Record<LetterAudience, boolean> = { essays, ward, "monthly-donors": donors };
    for (const audience of LETTER_AUDIENCES) {
      const target = audience === "ward" ? "this ward" : audience;
      it(`${role}, organiser of ${organiser}: ${expected[audience] ? "may" : "may not"} write to ${target}`, () => {
        expect(decideLetterAudience(writer, audience, audience === "ward" ? THIS_WARD : null)).toBe(expected[audience]);
      });
    }
    // The console speaks for site roles only (organisers write from their ward's page): its list is the "none" row.
    if (organiser === "none") {
      it(`${role}: the console offers exactly those audiences`, () => expect(staffAudiences(role)).toEqual(LETTER_AUDIENCES.filter((audience) => expected[audience])));
    }
  }
  it("refuses a ward audience without a ward, whoever asks", () => {
    for (const role of ["member", "editor", "admin", "owner"] as const) expect(decideLetterAudience({ role, organiserOf: THIS_WARD }, "ward", null)).toBe(false);
  });
  it("refuses audiences and roles it does not know", () => {
    expect(decideLetterAudience({ role: "owner", organiserOf: null }, "everyone" as LetterAudience, null)).toBe(false);
    expect(decideLetterAudience({ role: "superuser" as SiteRole, organiserOf: null }, "essays", null)).toBe(false);
  });
});

describe("mayQuoteMemberText", () => {
  it.each([["essays", false], ["ward", true], ["monthly-donors", true]] as const)("%s: %s", (audience, allowed) => {
    expect(mayQuoteMemberText(audience)).toBe(allowed);
  });
});
