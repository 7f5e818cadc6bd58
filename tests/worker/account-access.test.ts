// Who may read member text: decideAccess as a table, and the fail-closed path — when D1 fails during the
// session lookup, validateSessionToken rejects (the middleware catches that and sets sessionLookupFailed), and
// decideAccess then treats even a verified member as a visitor.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decideAccess, type Access, type Reader } from "@functions/access";
import { createSession, generateSessionToken, validateSessionToken } from "@functions/auth/sessions";
import { T0, insertUser } from "./support";

describe("decideAccess", () => {
  const verified = { emailVerified: true };
  const unverified = { emailVerified: false };
  const table: Array<[string, Reader, boolean, Access]> = [
    ["visitor, public page", { user: null, sessionLookupFailed: false }, false, "full"],
    ["visitor, members page", { user: null, sessionLookupFailed: false }, true, "join"],
    ["unverified member, public page", { user: unverified, sessionLookupFailed: false }, false, "full"],
    ["unverified member, members page", { user: unverified, sessionLookupFailed: false }, true, "verify-email"],
    ["verified member, public page", { user: verified, sessionLookupFailed: false }, false, "full"],
    ["verified member, members page", { user: verified, sessionLookupFailed: false }, true, "full"],
    ["lookup failed, verified member, members page", { user: verified, sessionLookupFailed: true }, true, "join"],
    ["lookup failed, unverified member, members page", { user: unverified, sessionLookupFailed: true }, true, "join"],
    ["lookup failed, visitor, members page", { user: null, sessionLookupFailed: true }, true, "join"],
    ["lookup failed, public page", { user: null, sessionLookupFailed: true }, false, "full"],
  ];
  for (const [name, reader, membersOnly, expected] of table) {
    it(`${name} → ${expected}`, () => {
      expect(decideAccess(reader, { membersOnly })).toBe(expected);
    });
  }
});

describe("the session lookup fails closed", () => {
  /** env.DB whose `prepare` throws, as D1 does when it is unavailable. */
  function brokenDb(message = "D1_ERROR: database unavailable"): D1Database {
    return new Proxy(env.DB, {
      get(target, property, receiver) {
        if (property === "prepare" || property === "batch" || property === "exec") return () => { throw new Error(message); };
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** env.DB whose statements fail when run (prepare succeeds, the query errors). */
  function failingQueries(): D1Database {
    return new Proxy(env.DB, {
      get(target, property, receiver) {
        if (property === "prepare") {
          return (sql: string) => {
            const statement = target.prepare(sql);
            return new Proxy(statement, {
              get(s, p, r) {
                if (p === "first" || p === "all" || p === "run" || p === "raw") return () => Promise.reject(new Error("D1_ERROR: network connection lost"));
                if (p === "bind") return (...args: unknown[]) => new Proxy(s.bind(...args), { get: (b, q, rr) => (q === "first" || q === "all" || q === "run" || q === "raw") ? () => Promise.reject(new Error("D1_ERROR: network connection lost")) : (typeof Reflect.get(b, q, rr) === "function" ? Reflect.get(b, q, rr).bind(b) : Reflect.get(b, q, rr)) });
                const value = Reflect.get(s, p, r);
                return typeof value === "function" ? value.bind(s) : value;
              },
            });
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  async function verifiedMemberToken(): Promise<string> {
    const { id } = await insertUser({ emailVerifiedAt: T0 });
    const token = generateSessionToken();
    await createSession(env.DB, token, id, T0);
    return token;
  }

  it("validateSessionToken rejects (never resolves to a session) when prepare throws", async () => {
    const token = await verifiedMemberToken();
    // Control: the real database resolves the member.
    expect((await validateSessionToken(env.DB, token, T0)).user?.emailVerified).toBe(true);
    await expect(validateSessionToken(brokenDb(), token, T0)).rejects.toThrow(/D1_ERROR/);
  });

  it("validateSessionToken rejects when the query itself fails", async () => {
    const token = await verifiedMemberToken();
    await expect(validateSessionToken(failingQueries(), token, T0)).rejects.toThrow(/network connection lost/);
  });

  it("the middleware's reading of that failure gives a verified member the join call, not the text", async () => {
    const token = await verifiedMemberToken();
    // What src/middleware.ts does: a thrown lookup → user stays null and sessionLookupFailed is true.
    let reader: Reader = { user: null, sessionLookupFailed: false };
    try {
      const result = await validateSessionToken(brokenDb(), token, T0);
      reader = { user: result.user, sessionLookupFailed: false };
    } catch {
      reader = { user: null, sessionLookupFailed: true };
    }
    expect(reader).toEqual({ user: null, sessionLookupFailed: true });
    expect(decideAccess(reader, { membersOnly: true })).toBe("join");
    // Even if a user object were still around, the failed flag wins.
    expect(decideAccess({ user: { emailVerified: true }, sessionLookupFailed: true }, { membersOnly: true })).toBe("join");
  });
});
