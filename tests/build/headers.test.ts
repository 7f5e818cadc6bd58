// Build checks: the _headers file Cloudflare applies to dist/client. Hashed /_astro/* assets are cached for a year
// as immutable; nothing else is (pages and unhashed files must update on deploy); the security rules from
// public/_headers arrive unchanged (tests/unit/headers.test.ts checks those against functions/http/security-headers.ts),
// but for the hashes of the texts the build inlines into prerendered pages (src/integrations/inline-first-paint.ts).
// And no build carries the dev server's relaxed policy (src/dev/dev-server-headers.ts): not the Worker, not _headers.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHeadersFile, type HeaderRule } from "@tests/support/headers-file";
import { CLIENT, ROOT, SERVER, htmlFiles, rel, requireBuild, walk } from "./dist";
import { parseTags } from "./html";
import { contentSecurityPolicy } from "@functions/http/security-headers";
import { PRERENDERED_HEADER, devServerPolicy } from "@src/dev/dev-server-headers";

const IMMUTABLE = "public, max-age=31536000, immutable";
let built: HeaderRule[];

beforeAll(() => {
  requireBuild();
  built = parseHeadersFile(readFileSync(join(CLIENT, "_headers"), "utf8"));
});

const cacheControl = (rule: HeaderRule) => rule.set.filter(([name]) => name.toLowerCase() === "cache-control").map(([, value]) => value);

describe("dist/client/_headers", () => {
  it("/_astro/* is cached for a year as immutable", () => {
    const rules = built.filter((rule) => rule.path === "/_astro/*");
    expect(rules).toHaveLength(1);
    expect(cacheControl(rules[0]!)).toEqual([IMMUTABLE]);
  });

  it("no other rule is immutable or cached for long", () => {
    const long = built
      .filter((rule) => rule.path !== "/_astro/*")
      .flatMap((rule) => cacheControl(rule).filter((value) => /immutable|max-age=(\d{6,})/.test(value)).map((value) => `${rule.path}: ${value}`));
    expect(long).toEqual([]);
  });

  it("every file under /_astro/ has a content hash in its name (so immutable is safe)", () => {
    const unhashed = walk(join(CLIENT, "_astro")).map((file) => rel(file)).filter((name) => !/\.[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(name));
    expect(unhashed).toEqual([]);
  });

  it("carries every rule of public/_headers unchanged, but for the inlined texts' hashes in each policy", () => {
    const source = parseHeadersFile(readFileSync(join(ROOT, "public/_headers"), "utf8"));
    const hashes = new Set<string>();
    for (const file of htmlFiles()) {
      for (const tag of parseTags(readFileSync(file, "utf8"))) {
        const data = tag.name === "script" && tag.attrs["type"] === "application/ld+json";
        if (tag.content !== undefined && tag.attrs["src"] === undefined && !data) hashes.add(`'sha256-${createHash("sha256").update(tag.content).digest("base64")}'`);
      }
    }
    // The stylesheet, the signed-in hint, and the module scripts of the menu, the share buttons and search.
    expect(hashes.size, "the inlined stylesheet and scripts").toBe(5);
    const withoutHashes = (rule: HeaderRule): HeaderRule => ({
      ...rule,
      set: rule.set.map(([name, value]) => [name, name === "Content-Security-Policy" ? [...hashes].reduce((policy, hash) => policy.replaceAll(` ${hash}`, ""), value) : value]),
    });
    for (const rule of source) expect(built.filter((candidate) => candidate.path === rule.path).map(withoutHashes), rule.path).toEqual([rule]);
  });
});

describe("the dev server's policy stays out of the build", () => {
  /** Every CSP source list in a text: a fetch directive name and what follows it up to ";", a quote or a line end. */
  const sourceLists = (text: string) => [...text.matchAll(/(?<![a-z-])(?:default|script|style|img|font|connect|media|object|frame|child|worker|manifest)-src(?:-elem|-attr)?(?![a-z-])[^;"`\n]*/g)].map((m) => m[0]);
  const UNSAFE = /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/;
  // The Worker's code, without source maps (they quote the dev branch of src/middleware.ts, and are not deployed).
  const workerCode = () => walk(SERVER).filter((file) => !file.endsWith(".map")).map((file) => ({ file: rel(file, SERVER), text: readFileSync(file, "utf8") }));

  it("no policy in the Worker's code allows inline or eval'd code (and the scan finds the real policy)", () => {
    const lists = workerCode().flatMap(({ file, text }) => sourceLists(text).map((list) => `${file}: ${list}`));
    expect(lists.some((list) => list.endsWith("style-src 'self'")), "the Worker's own style-src").toBe(true);
    expect(lists.filter((list) => UNSAFE.test(list))).toEqual([]);
  });

  it("the Worker contains nothing of src/dev/dev-server-headers.ts", () => {
    const devPolicy = devServerPolicy(contentSecurityPolicy());
    expect(devPolicy, "the dev policy differs from production's").not.toBe(contentSecurityPolicy());
    const found = workerCode().filter(({ text }) => text.includes(PRERENDERED_HEADER) || text.includes(devPolicy) || text.includes("dev-server-headers")).map(({ file }) => file);
    expect(found).toEqual([]);
  });

  it("no policy in public/_headers or dist/client/_headers allows inline or eval'd code", () => {
    for (const file of [join(ROOT, "public/_headers"), join(CLIENT, "_headers")]) {
      const policies = parseHeadersFile(readFileSync(file, "utf8")).flatMap((rule) => rule.set.filter(([name]) => name === "Content-Security-Policy").map(([, value]) => value));
      expect(policies.length, file).toBeGreaterThanOrEqual(3);
      expect(policies.filter((policy) => UNSAFE.test(policy)), file).toEqual([]);
    }
  });
});
