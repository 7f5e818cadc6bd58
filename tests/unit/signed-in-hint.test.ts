// The signed-in hint: the cookie the server sets (functions/auth/signed-in-hint.ts) and the script every page runs
// in <head> (src/scripts/signed-in.js) agree on its name, over http and https; the script marks <html> for exactly
// that cookie with the value "1"; and the cookie is readable by scripts but otherwise as strict as the session's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SIGNED_IN_HINT_NAME, signedInHintCookie } from "@functions/auth/signed-in-hint";
import { sessionCookie } from "@functions/auth/session-cookie";
import { ROOT } from "@tests/build/dist";

const SCRIPT = readFileSync(join(ROOT, "src/scripts/signed-in.js"), "utf8");

/** Runs the page script against a document with `cookie`; returns the classes it put on <html>. */
function classesFor(cookie: string): string[] {
  const classes: string[] = [];
  const document = { cookie, documentElement: { classList: { add: (name: string) => classes.push(name) } } };
  new Function("document", SCRIPT)(document);
  return classes;
}

describe("the head script", () => {
  it("is a classic script with nothing to import or export", () => {
    expect(SCRIPT).not.toMatch(/^\s*(import|export)\b/m);
  });

  it.each([
    [`${signedInHintCookie(false).name}=1`],
    [`${signedInHintCookie(true).name}=1`],
    [`theme=dark; ${SIGNED_IN_HINT_NAME}=1`],
    [`${SIGNED_IN_HINT_NAME}=1; other=2`],
  ])("marks <html> signed-in for %s", (cookie) => {
    expect(classesFor(cookie)).toEqual(["signed-in"]);
  });

  it.each([
    [""],
    [`${SIGNED_IN_HINT_NAME}=`],
    [`${SIGNED_IN_HINT_NAME}=0`],
    [`${SIGNED_IN_HINT_NAME}=11`],
    [`x${SIGNED_IN_HINT_NAME}=1`],
    [`${SIGNED_IN_HINT_NAME}x=1`],
    // The session cookie is HttpOnly, so scripts never see it; even if they did, it is not the hint.
    [`${sessionCookie(false).name}=abc`],
  ])("leaves <html> alone for %j", (cookie) => {
    expect(classesFor(cookie)).toEqual([]);
  });
});

describe("the hint cookie", () => {
  it("is readable by scripts, SameSite=Lax, Path=/, and Secure with the __Host- prefix over https", () => {
    expect(signedInHintCookie(true, 1_800_000_000)).toEqual({
      name: `__Host-${SIGNED_IN_HINT_NAME}`,
      attributes: { httpOnly: false, sameSite: "lax", path: "/", secure: true, expires: new Date(1_800_000_000_000) },
    });
    expect(signedInHintCookie(false, 1_800_000_000)).toMatchObject({ name: SIGNED_IN_HINT_NAME, attributes: { secure: false } });
  });

  it("expires with the session it stands beside, and is deleted the same way", () => {
    const at = 1_800_000_000;
    expect(signedInHintCookie(false, at).attributes.expires).toEqual(sessionCookie(false, at).attributes.expires);
    expect(signedInHintCookie(true).attributes).toMatchObject({ maxAge: 0 });
    expect(signedInHintCookie(true).attributes.expires).toBeUndefined();
  });
});
