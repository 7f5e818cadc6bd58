// Build checks for the passkey script (src/scripts/passkeys.ts): it is a same-origin file (the CSP allows no inline
// script), at most 6 KB gzip with the page entries that import it, and no prerendered page loads it: only /login
// and /account/security, both rendered on demand, do (tests/e2e/passkeys.spec.ts checks those in the browser).
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { CLIENT, htmlFiles, rel, requireBuild, walk } from "./dist";

/** The budget for the passkey script and its entries, in gzip bytes (1 KB = 1000 bytes). */
const PASSKEY_SCRIPT_BUDGET = 6_000;

const scripts = () => walk(join(CLIENT, "_astro")).filter((file) => file.endsWith(".js"));
const text = (file: string) => readFileSync(file, "utf8");

describe("the passkey script", () => {
  beforeAll(requireBuild);

  it(`is one file, with its page entries at most ${PASSKEY_SCRIPT_BUDGET} bytes gzip`, () => {
    const modules = scripts().filter((file) => text(file).includes("/api/passkeys/challenge"));
    expect(modules.map((file) => rel(file))).toHaveLength(1);
    const entries = scripts().filter((file) => text(file).includes(`/${basename(modules[0]!)}`));
    // /login's and /account/security's own entries, each a one-line import.
    expect(entries.length).toBeGreaterThanOrEqual(1);
    const bytes = [...modules, ...entries].reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
    expect(bytes).toBeLessThanOrEqual(PASSKEY_SCRIPT_BUDGET);
  });

  it("is loaded by no prerendered page", () => {
    const names = scripts().filter((file) => text(file).includes("/api/passkeys/challenge") || text(file).includes("passkeys.")).map((file) => basename(file));
    expect(names.length).toBeGreaterThan(0);
    for (const page of htmlFiles()) {
      const html = readFileSync(page, "utf8");
      for (const name of names) expect(html.includes(name), `${rel(page)} loads ${name}`).toBe(false);
    }
  });
});
