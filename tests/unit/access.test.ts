// decideAccess (functions/access.ts): the one rule for member-only text. Public pages are open to everyone;
// members-only pages open only to a signed-in member with a verified email, and a failed session lookup counts as a
// visitor (errors never open member text).
import { describe, expect, it } from "vitest";
import { decideAccess, type Access, type Reader } from "@functions/access";

const visitor: Reader = { user: null, sessionLookupFailed: false };
const unverified: Reader = { user: { emailVerified: false }, sessionLookupFailed: false };
const verified: Reader = { user: { emailVerified: true }, sessionLookupFailed: false };
const lookupFailed: Reader = { user: null, sessionLookupFailed: true };
const verifiedButLookupFailed: Reader = { user: { emailVerified: true }, sessionLookupFailed: true };
const unverifiedButLookupFailed: Reader = { user: { emailVerified: false }, sessionLookupFailed: true };

const TABLE: Array<[reader: string, Reader, page: "public" | "members", Access]> = [
  ["visitor", visitor, "public", "full"],
  ["unverified member", unverified, "public", "full"],
  ["verified member", verified, "public", "full"],
  ["failed session lookup", lookupFailed, "public", "full"],
  ["verified member, lookup failed", verifiedButLookupFailed, "public", "full"],
  ["visitor", visitor, "members", "join"],
  ["unverified member", unverified, "members", "verify-email"],
  ["verified member", verified, "members", "full"],
  ["failed session lookup", lookupFailed, "members", "join"],
  ["verified member, lookup failed", verifiedButLookupFailed, "members", "join"],
  ["unverified member, lookup failed", unverifiedButLookupFailed, "members", "join"],
];

describe("decideAccess", () => {
  it.each(TABLE)("%s on a %s page → %s", (_label, reader, page, access) => {
    expect(decideAccess(reader, { membersOnly: page === "members" })).toBe(access);
  });

  it("only a verified member with a working session gets the full text of a members page", () => {
    const full = TABLE.filter(([, , page, access]) => page === "members" && access === "full");
    expect(full.map(([label]) => label)).toEqual(["verified member"]);
  });
});
