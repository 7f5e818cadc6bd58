// Browser tests against `npm run dev` (tests/e2e-dev/), not the build: the dev server as a developer starts it on a
// fresh clone — .dev.vars made from .dev.vars.example, the local D1 migrations applied, `astro dev` — but on its own
// port and D1 folder and with its own copy of the settings, so it never touches a developer's dev server (4321),
// .dev.vars or .wrangler/state. Browser, retries and timeouts are the browser tests' (playwright.config.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";
import { DEV_SITE_PORT, DEV_SITE_URL, DEV_STATE_DIR, DEV_VITE_CACHE_DIR } from "./tests/support/test-env";

// What scripts/setup-local.mjs copies to .dev.vars, with links in emails pointing at this server and a HASH_SECRET
// (setup-local generates a random one; a fixed one here keeps the file unchanged between runs).
// CLOUDFLARE_ENV=e2e-dev makes wrangler and the adapter read this file instead of .dev.vars.
// Written only when it changes: every Playwright worker loads this config, and the dev server restarts when the file does.
const example = readFileSync(".dev.vars.example", "utf8");
const settings = example.replace(/^SITE_URL=.*$/m, `SITE_URL=${DEV_SITE_URL}`).replace(/^HASH_SECRET=.*$/m, "HASH_SECRET=dev-server-tests-local-only");
if (!existsSync(".dev.vars.e2e-dev") || readFileSync(".dev.vars.e2e-dev", "utf8") !== settings) writeFileSync(".dev.vars.e2e-dev", settings);
// The donation check (src/integrations/validate-donation-config.ts) reads .dev.vars itself; the environment wins.
const donationSettings = Object.fromEntries(
  [...example.matchAll(/^(BITCOIN_ADDRESS|DONATION_CURRENCY|DONATION_MIN|DONATION_MAX)=(.*)$/gm)].map(([, key, value]) => [key!, value!.trim()]),
);

export default defineConfig({
  ...base,
  testDir: "tests/e2e-dev",
  use: { ...base.use, baseURL: DEV_SITE_URL },
  webServer: {
    command: `rm -rf ${DEV_STATE_DIR} && npx wrangler d1 migrations apply DB --local --persist-to ${DEV_STATE_DIR} && npx astro dev --ignore-lock --port ${DEV_SITE_PORT}`,
    url: `${DEV_SITE_URL}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { ...donationSettings, CLOUDFLARE_ENV: "e2e-dev", SMALLISM_STATE_DIR: DEV_STATE_DIR, SMALLISM_VITE_CACHE_DIR: DEV_VITE_CACHE_DIR },
  },
});
