// Build checks: every HTML page in dist/client is valid HTML under the project's html-validate rules
// (.htmlvalidate.json: html-validate's recommended and document presets, plus nothing outside <html>).
// The pages rendered on demand are checked as served by tests/e2e/html-validity.spec.ts.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { htmlProblems } from "@tests/support/html-validity";
import { htmlFiles, rel, requireBuild } from "./dist";

beforeAll(requireBuild);

describe("prerendered pages", () => {
  it("include the pages most likely to go wrong (home, search, the 404 page, an essay)", () => {
    const pages = htmlFiles().map((file) => rel(file));
    expect(pages).toEqual(expect.arrayContaining(["index.html", "search/index.html", "404.html"]));
    expect(pages.some((page) => page.startsWith("essays/") && page !== "essays/index.html")).toBe(true);
  });

  it("are valid HTML, every one", async () => {
    const problems: string[] = [];
    for (const file of htmlFiles()) problems.push(...(await htmlProblems(readFileSync(file, "utf8"), rel(file))));
    expect(problems).toEqual([]);
  });
});
