// Fault injection against the running Worker: when the session lookup fails (here the sessions table is
// renamed away underneath workerd's D1), a verified member's strategy page fails closed — it still answers
// 200 with the summary and the join call, never the body — and opens again once D1 is back.
import { execFileSync } from "node:child_process";
import { test, expect, joinAndVerify, uniqueEmail } from "./fixtures";
import { STATE_DIR } from "@tests/support/test-env";

const PAGE = "/strategy/how-members-vote/";

function d1(sql: string): void {
  execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--command", sql], { stdio: "pipe" });
}

test("a D1 failure during the session lookup shows the summary only", async ({ page }) => {
  await joinAndVerify(page, uniqueEmail("failclosed"), "a long enough pass phrase", PAGE);
  const tocHeading = page.getByRole("heading", { name: "On this page" });
  await expect(tocHeading).toBeVisible();
  const firstSection = (await page.locator(".prose h2").first().innerText()).trim();

  d1("ALTER TABLE sessions RENAME TO sessions_unavailable");
  try {
    const response = await page.goto(PAGE);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["cache-control"]).toBe("private, no-store");
    await expect(page.getByRole("heading", { name: "Members read the full strategy page" })).toBeVisible();
    await expect(tocHeading).toHaveCount(0);
    expect(await page.content()).not.toContain(firstSection);
  } finally {
    d1("ALTER TABLE sessions_unavailable RENAME TO sessions");
  }

  await page.goto(PAGE);
  await expect(tocHeading).toBeVisible();
});
