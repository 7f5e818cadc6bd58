// Every staff permission as a table (functions/staff/access.ts): each role × each action, written out so a change
// to the rule shows up here as a changed row. And the console gate's order of checks (console-guard.ts).
import { describe, expect, it } from "vitest";
import { decideStaffAccess, STAFF_ACTIONS, type SiteRole, type StaffAction } from "@functions/staff/access";
import { decideConsoleAccess } from "@functions/staff/console-guard";

const O = "owner", A = "admin", E = "editor";
/** Who may take each action. */
const MAY: Record<StaffAction, SiteRole[]> = {
  "overview.view": [O, A, E],
  "members.count": [O, A, E],
  "members.list": [O, A],
  "members.view": [O, A],
  "members.resend-verification": [O, A],
  "members.end-sessions": [O, A],
  "members.delete": [O, A],
  "members.export": [O, A],
  "donations.view": [O, A],
  "donations.export": [O, A],
  "audit.view": [O, A],
  "staff.view": [O, A],
  "staff.manage": [O],
  "wards.view": [O, A],
  "wards.manage": [O, A],
  "wards.organisers": [O, A],
  "wards.proposals": [O, A],
  "letters.view": [O, A, E],
  "letters.write": [O, A, E],
  "letters.donors": [O, A],
};

describe("decideStaffAccess", () => {
  it("has a row for every action", () => expect(Object.keys(MAY).sort()).toEqual([...STAFF_ACTIONS].sort()));
  for (const action of STAFF_ACTIONS) {
    for (const role of ["member", "editor", "admin", "owner"] as const) {
      const allowed = MAY[action].includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${action}`, () => expect(decideStaffAccess(role, action)).toBe(allowed));
    }
  }
  it("refuses roles it does not know", () => expect(decideStaffAccess("superuser" as SiteRole, "overview.view")).toBe(false));
});

describe("decideConsoleAccess", () => {
  const enrolled = async () => "enrolled" as const;
  const none = async () => "none" as const;
  const staff = (role: SiteRole, emailVerified = true) => ({ role, emailVerified });
  const passed = { secondFactorAt: 1 };
  const notPassed = { secondFactorAt: null };
  const neverAsked = async (): Promise<never> => { throw new Error("the second factor was looked up"); };

  it.each([
    ["a visitor", { user: null, session: null }, "overview.view", neverAsked, { kind: "sign-in" }],
    ["a member", { user: staff("member"), session: passed }, "overview.view", neverAsked, { kind: "forbidden" }],
    ["an unverified owner", { user: staff("owner", false), session: passed }, "overview.view", neverAsked, { kind: "forbidden" }],
    ["an editor asking for member emails", { user: staff("editor"), session: passed }, "members.list", neverAsked, { kind: "forbidden" }],
    ["an editor without the second factor asking for member emails", { user: staff("editor"), session: notPassed }, "members.list", neverAsked, { kind: "forbidden" }],
    ["an admin asking to manage staff", { user: staff("admin"), session: passed }, "staff.manage", neverAsked, { kind: "forbidden" }],
    ["an owner not enrolled", { user: staff("owner"), session: notPassed }, "members.list", none, { kind: "enrol" }],
    ["an owner enrolled, not passed", { user: staff("owner"), session: notPassed }, "members.list", enrolled, { kind: "second-factor" }],
    ["an owner passed", { user: staff("owner"), session: passed }, "staff.manage", neverAsked, { kind: "allow", role: "owner" }],
    ["an editor passed", { user: staff("editor"), session: passed }, "overview.view", neverAsked, { kind: "allow", role: "editor" }],
  ] as const)("%s", async (_who, reader, action, factor, expected) => {
    expect(await decideConsoleAccess(reader, action, factor)).toEqual(expected);
  });
});
