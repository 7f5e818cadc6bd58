// safeNextPath (src/lib/safe-next.ts): where /login, /join and /verify send a member afterwards (`?next=`).
// It must never produce an open redirect: whatever the input, the answer is the fallback or a path that a browser
// resolves on our own origin when it is used as a Location header.
import { describe, expect, it } from "vitest";
import { safeNextPath } from "@functions/http/safe-next";

const SITE = "https://smallism.org";

/** True when `path`, used as a Location header on our site, keeps the browser on our site. */
function staysOnSite(path: string): boolean {
  // Browsers treat "\" like "/" in http(s) URLs, and drop tabs and newlines: refuse those outright.
  if (!/^\/(?![/\\])/.test(path) || /[\\\u0000-\u001F\u007F]/.test(path)) return false;
  return new URL(path, `${SITE}/account`).origin === SITE;
}

describe("same-site paths are kept", () => {
  it.each([
    ["/", "/"],
    ["/strategy/", "/strategy/"],
    ["/strategy/how-members-vote/", "/strategy/how-members-vote/"],
    ["/strategy/x/?tab=2", "/strategy/x/?tab=2"],
    ["/strategy/x/?a=1&b=2#votes", "/strategy/x/?a=1&b=2#votes"],
    ["/essays/the-first-hundred-members/", "/essays/the-first-hundred-members/"],
    ["/a/./b/../c", "/a/c"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ])("%j → %j", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});

describe("anything else gives the fallback", () => {
  it.each([
    ["absolute URL", "https://evil.example"],
    ["absolute URL with path", "https://evil.example/strategy/"],
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with path", "//evil.example/strategy/"],
    ["slash backslash", "/\\evil.example"],
    ["double backslash", "\\\\evil"],
    ["backslash later in the path", "/strategy\\..\\..\\evil"],
    ["javascript: URL", "javascript:alert(1)"],
    ["data: URL", "data:text/html,hi"],
    ["relative path", "strategy/"],
    ["empty", ""],
    ["tab before the host", "/\t/evil.example"],
    ["newline", "/strategy/\nSet-Cookie: x=1"],
    ["carriage return", "/strategy/\r\nLocation: https://evil.example"],
    ["NUL", "/strategy/\u0000"],
    ["DEL", "/strategy/\u007F"],
    ["too long (513 chars)", `/${"a".repeat(512)}`],
    ["very long", `/${"a".repeat(100_000)}`],
  ])("%s", (_label, input) => {
    expect(safeNextPath(input)).toBe("/");
    expect(safeNextPath(input, "/account")).toBe("/account");
  });

  it.each([[null], [undefined]])("%j → fallback", (input) => {
    expect(safeNextPath(input)).toBe("/");
    expect(safeNextPath(input, "/strategy/")).toBe("/strategy/");
  });

  it("512 characters is still accepted", () => {
    const path = `/${"a".repeat(511)}`;
    expect(safeNextPath(path)).toBe(path);
  });
});

describe("dot segments cannot turn a path into //host (open redirect)", () => {
  // The input starts with one "/", but URL normalisation removes the dot segment and leaves "//evil.example",
  // which a browser follows to https://evil.example when it is sent as `Location: //evil.example`.
  it.each([
    ["/.//evil.example"],
    ["/..//evil.example"],
    ["/a/..//evil.example"],
    ["/%2e//evil.example"],
    ["/%2E%2E//evil.example/path"],
    ["/./.././/evil.example"],
  ])("%j stays on the site", (input) => {
    const result = safeNextPath(input);
    expect(staysOnSite(result), `safeNextPath(${JSON.stringify(input)}) = ${JSON.stringify(result)}`).toBe(true);
  });
});

describe("property: every answer stays on the site", () => {
  const prefixes = ["", "/", "//", "/\\", "\\", "/./", "/../", "/%2e/", "/%2E%2E/", "/%2F", "https:", "http://", "javascript:", " /", "/\t", "/ "];
  const middles = ["", "/", "//", ".", "..", "%2F", "%5C", "\\", "@", ":", "?", "#"];
  const hosts = ["evil.example", "evil.example/x?y=1#z", "smallism.org.evil.example", "@evil.example"];
  const inputs = prefixes.flatMap((prefix) => middles.flatMap((middle) => hosts.map((host) => `${prefix}${middle}${host}`)));

  it(`holds for ${inputs.length} generated inputs`, () => {
    const escapes = inputs
      .map((input) => [input, safeNextPath(input)] as const)
      .filter(([, result]) => !staysOnSite(result))
      .map(([input, result]) => `${JSON.stringify(input)} → ${JSON.stringify(result)}`);
    expect(escapes).toEqual([]);
  });
});
