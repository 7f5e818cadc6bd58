// Browser and HTTP tests against the built site served by `astro preview` (workerd + local D1), with local
// stand-ins for Stripe and Have I Been Pwned. Chromium is Debian's (see tests/e2e/chromium-path.ts); Playwright
// downloads no browser.
import { writeFileSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { chromiumPath } from "./tests/e2e/chromium-path";
import { LETTERS_STAND_IN_PORT, PUBLIC_TEST_HOST, PWNED_STAND_IN_PORT, SITE_PORT, SITE_URL, STATE_DIR, STRIPE_STAND_IN_PORT, TEST_ENV } from "./tests/support/test-env";

writeFileSync(".dev.vars.e2e", Object.entries(TEST_ENV).map(([key, value]) => `${key}=${JSON.stringify(value)}\n`).join(""));

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  // No retries: the site drains refused uploads up to 1 MiB, so the local preview proxy keeps its connections; only
  // tests that send a larger upload (which the site cuts off) re-send what the proxy drops (tests/e2e/http.ts).
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: SITE_URL,
    launchOptions: {
      executablePath: chromiumPath(),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: [
    {
      command: `node tests/support/stripe-stand-in.mjs ${STRIPE_STAND_IN_PORT}`,
      url: `http://127.0.0.1:${STRIPE_STAND_IN_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      command: `node tests/support/pwned-passwords-stand-in.mjs ${PWNED_STAND_IN_PORT}`,
      url: `http://127.0.0.1:${PWNED_STAND_IN_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      command: `node tests/support/letters-provider-stand-in.mjs ${LETTERS_STAND_IN_PORT}`,
      url: `http://127.0.0.1:${LETTERS_STAND_IN_PORT}/health`,
      reuseExistingServer: false,
    },
    {
      // A developer's .dev.vars would win over TEST_ENV twice: the build copies it into dist/server (and wrangler
      // then ignores the process environment), and the adapter copies it into process.env when preview starts.
      // So the copy is removed, and CLOUDFLARE_ENV=e2e makes both read .dev.vars.e2e (TEST_ENV) instead.
      command: `rm -f dist/server/.dev.vars && npx wrangler d1 migrations apply DB --local --persist-to ${STATE_DIR} && CLOUDFLARE_ENV=e2e npx astro preview --ignore-lock --port ${SITE_PORT} --allowed-hosts ${PUBLIC_TEST_HOST}`,
      url: `${SITE_URL}/`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: { ...TEST_ENV, SMALLISM_STATE_DIR: STATE_DIR, CLOUDFLARE_INCLUDE_PROCESS_ENV: "true" },
    },
  ],
});
