// Security headers in two places stay equal: public/_headers (static assets and prerendered pages, applied by
// Cloudflare) and functions/http/security-headers.ts (pages the Worker renders, applied by src/middleware.ts).
// Also the pure helpers of security-headers.ts (the CSP builder, applySecurityHeaders, needsWasm) and the dev
// server's deviations from them (src/dev/dev-server-headers.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BASE_SECURITY_HEADERS, WASM_PATHS, applySecurityHeaders, contentSecurityPolicy, needsWasm } from "@functions/http/security-headers";
import { PRERENDERED_HEADER, applyDevServerHeaders, devServerPolicy } from "@src/dev/dev-server-headers";
import { parseHeadersFile, type HeaderRule } from "@tests/support/headers-file";

const RULES = parseHeadersFile(readFileSync(new URL("../../public/_headers", import.meta.url), "utf8"));
const rule = (path: string): HeaderRule => {
  const found = RULES.filter((candidate) => candidate.path === path);
  expect(found, `exactly one ${path} rule in public/_headers`).toHaveLength(1);
  return found[0]!;
};
const directives = (csp: string) => csp.split(";").map((part) => part.trim()).filter(Boolean);

describe("public/_headers /* rule", () => {
  it("sets each header once", () => {
    const names = rule("/*").set.map(([name]) => name.toLowerCase());
    expect(names).toEqual([...new Set(names)]);
  });

  it("Content-Security-Policy equals contentSecurityPolicy()", () => {
    const csp = rule("/*").set.filter(([name]) => name === "Content-Security-Policy").map(([, value]) => value);
    expect(csp).toEqual([contentSecurityPolicy()]);
  });

  it("the other headers equal BASE_SECURITY_HEADERS, no more and no fewer", () => {
    const others = Object.fromEntries(rule("/*").set.filter(([name]) => name !== "Content-Security-Policy"));
    expect(others).toEqual({ ...BASE_SECURITY_HEADERS });
  });
});

describe.each(WASM_PATHS.map((path) => `${path}*`))("public/_headers %s rule (Pagefind's WebAssembly)", (path) => {
  it("detaches the site-wide CSP and sets exactly one replacement", () => {
    expect(rule(path).detach).toEqual(["Content-Security-Policy"]);
    expect(rule(path).set.filter(([name]) => name === "Content-Security-Policy")).toHaveLength(1);
  });

  it("its CSP is contentSecurityPolicy([], { wasm: true })", () => {
    const [, value] = rule(path).set.find(([name]) => name === "Content-Security-Policy")!;
    expect(directives(value)).toEqual(directives(contentSecurityPolicy([], { wasm: true })));
  });
});

describe("WASM_PATHS", () => {
  it("are exactly the paths public/_headers gives a WebAssembly policy", () => {
    const wasmRules = RULES.filter((candidate) => candidate.set.some(([name, value]) => name === "Content-Security-Policy" && value.includes("'wasm-unsafe-eval'")));
    expect(wasmRules.map((candidate) => candidate.path).sort()).toEqual(WASM_PATHS.map((path) => `${path}*`).sort());
  });

  it.each([
    ["/search/", true], ["/search", true], ["/search/?q=ward", true], ["/pagefind/pagefind.js", true],
    ["/searching/", false], ["/", false], ["/essays/search/", false], ["/pagefind", true], ["/join", false],
  ])("needsWasm(%s) is %s", (path, expected) => {
    expect(needsWasm(path)).toBe(expected);
  });
});

describe("contentSecurityPolicy()", () => {
  it.each([
    ["default-src 'self'"], ["script-src 'self'"], ["style-src 'self'"], ["img-src 'self' data:"], ["font-src 'self'"],
    ["connect-src 'self'"], ["form-action 'self'"], ["frame-ancestors 'none'"], ["base-uri 'none'"], ["object-src 'none'"],
  ])("has %s", (directive) => {
    expect(directives(contentSecurityPolicy())).toContain(directive);
  });

  it("never allows inline or eval'd script or style", () => {
    expect(contentSecurityPolicy()).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\*/);
    expect(contentSecurityPolicy([], { wasm: true })).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\*/);
  });

  it("wasm adds only 'wasm-unsafe-eval' to script-src", () => {
    const changed = directives(contentSecurityPolicy([], { wasm: true })).filter((d) => !directives(contentSecurityPolicy()).includes(d));
    expect(changed).toEqual(["script-src 'self' 'wasm-unsafe-eval'"]);
  });

  it.each([
    [[], "form-action 'self'"],
    [["https://checkout.stripe.com"], "form-action 'self' https://checkout.stripe.com"],
    [["https://checkout.stripe.com", "https://billing.stripe.com"], "form-action 'self' https://checkout.stripe.com https://billing.stripe.com"],
  ])("formActions %j → %s (other directives unchanged)", (actions, formAction) => {
    const policy = directives(contentSecurityPolicy(actions));
    expect(policy).toContain(formAction);
    expect(policy.filter((d) => !d.startsWith("form-action"))).toEqual(directives(contentSecurityPolicy()).filter((d) => !d.startsWith("form-action")));
  });
});

describe("applySecurityHeaders()", () => {
  it("sets every base header and the CSP with the given form actions", () => {
    const headers = new Headers();
    applySecurityHeaders(headers, ["https://checkout.stripe.com"]);
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) expect(headers.get(name), name).toBe(value);
    expect(headers.get("Content-Security-Policy")).toBe(contentSecurityPolicy(["https://checkout.stripe.com"]));
  });

  it("keeps a CSP the page set itself, and overwrites weaker base headers", () => {
    const headers = new Headers({ "Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "SAMEORIGIN" });
    applySecurityHeaders(headers, []);
    expect(headers.get("Content-Security-Policy")).toBe("default-src 'none'");
    expect(headers.get("X-Frame-Options")).toBe("DENY");
  });
});

describe("the dev server's headers (src/dev/dev-server-headers.ts)", () => {
  it.each([
    [contentSecurityPolicy()], [contentSecurityPolicy(["https://checkout.stripe.com"])], [contentSecurityPolicy([], { wasm: true })],
  ])("devServerPolicy adds 'unsafe-inline' to style-src and changes nothing else: %s", (policy) => {
    const before = directives(policy);
    const after = directives(devServerPolicy(policy));
    expect(after).toEqual(before.map((d) => (d === "style-src 'self'" ? "style-src 'self' 'unsafe-inline'" : d)));
  });

  it("a rendered page keeps its own policy, relaxed for styles only, and is not marked prerendered", () => {
    const headers = new Headers();
    applySecurityHeaders(headers, ["https://checkout.stripe.com"]);
    applyDevServerHeaders(headers, "/donate", false);
    expect(headers.get("Content-Security-Policy")).toBe(devServerPolicy(contentSecurityPolicy(["https://checkout.stripe.com"])));
    expect(headers.get(PRERENDERED_HEADER)).toBeNull();
  });

  it.each([
    ["/", contentSecurityPolicy()], ["/essays/the-case-for-small-wards/", contentSecurityPolicy()], ["/search/", contentSecurityPolicy([], { wasm: true })],
  ])("a prerendered page (%s) gets public/_headers' headers for its path, relaxed for styles, and is marked", (path, policy) => {
    const headers = new Headers();
    applyDevServerHeaders(headers, path, true);
    expect(headers.get("Content-Security-Policy")).toBe(devServerPolicy(policy));
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) expect(headers.get(name), name).toBe(value);
    expect(headers.get(PRERENDERED_HEADER)).toBe("1");
  });
});

describe("the _headers reader", () => {
  it("reads paths, headers and detaches, and refuses a header before any path", () => {
    expect(parseHeadersFile("# c\n/a/*\n  X-A: 1\n  ! X-B\n/b\n  X-C: two words\n")).toEqual([
      { path: "/a/*", set: [["X-A", "1"]], detach: ["X-B"] },
      { path: "/b", set: [["X-C", "two words"]], detach: [] },
    ]);
    expect(() => parseHeadersFile("  X-A: 1\n")).toThrow();
  });
});
