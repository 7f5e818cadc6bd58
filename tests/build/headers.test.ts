// Build checks: the _headers file Cloudflare applies to dist/client. Hashed /_astro/* assets are cached for a year
// as immutable; nothing else is (pages and unhashed files must update on deploy); the security rules from
// public/_headers arrive unchanged (tests/unit/headers.test.ts checks those against src/lib/security-headers.ts).
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHeadersFile, type HeaderRule } from "@tests/support/headers-file";
import { CLIENT, ROOT, rel, requireBuild, walk } from "./dist";

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

  it("carries every rule of public/_headers unchanged", () => {
    const source = parseHeadersFile(readFileSync(join(ROOT, "public/_headers"), "utf8"));
    for (const rule of source) expect(built.filter((candidate) => candidate.path === rule.path), rule.path).toEqual([rule]);
  });
});
