// Configuration the browser and HTTP tests run the built site with. These are public test values for local
// stand-ins of Stripe and Have I Been Pwned, not secrets: real keys only ever live in .dev.vars or `wrangler secret put`.
// Ports and state folder can be moved (E2E_SITE_PORT, E2E_STRIPE_PORT, E2E_EXTRA_PORT; the breach stand-in takes the
// Stripe port + 10 unless E2E_PWNED_PORT says otherwise) to run two suites side by side.
export const SITE_PORT = Number(process.env.E2E_SITE_PORT ?? 4321);
export const SITE_URL = `http://localhost:${SITE_PORT}`;
export const STRIPE_STAND_IN_PORT = Number(process.env.E2E_STRIPE_PORT ?? 12111);
export const PWNED_STAND_IN_PORT = Number(process.env.E2E_PWNED_PORT ?? STRIPE_STAND_IN_PORT + 10);
/** A public host name the preview also answers for (--allowed-hosts), so tests can send plain HTTP to a non-local host. */
export const PUBLIC_TEST_HOST = "smallism.example";
export const STATE_DIR = `.wrangler/test-state${process.env.E2E_SITE_PORT ? `-${SITE_PORT}` : ""}`;
/** Port for the extra servers a few browser tests start themselves (tests/e2e/extra-server.ts): `astro dev`, or a
 *  second preview with other settings. E2E_EXTRA_PORT, else 100 above the site's port. */
export const EXTRA_PORT = Number(process.env.E2E_EXTRA_PORT ?? SITE_PORT + 100);

export const TEST_ENV = {
  SITE_URL,
  DEV_MAILBOX: "1",
  HASH_SECRET: "e2e-tests-local-hash-secret",
  COUNT_D1_QUERIES: "1",
  STRIPE_SECRET_KEY: "sk_test_local_stand_in",
  STRIPE_WEBHOOK_SECRET: "whsec_local_stand_in_secret",
  STRIPE_API_BASE: `http://127.0.0.1:${STRIPE_STAND_IN_PORT}`,
  PWNED_PASSWORDS_API: `http://127.0.0.1:${PWNED_STAND_IN_PORT}`,
  BITCOIN_ADDRESS: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
  BRAVE_REWARDS_VERIFICATION: "This is a Brave Rewards publisher verification file\n\nDomain: localhost\nToken: 0123456789abcdef0123456789abcdef",
} as const;

// The dev-server tests (playwright.dev.config.ts, tests/e2e-dev/) start their own `astro dev`: on E2E_DEV_PORT, else
// the site port + 110 (4431 by default), with local D1 and Vite's pre-bundled dependencies in folders of their own, so
// they never meet a developer's dev server.
export const DEV_SITE_PORT = Number(process.env.E2E_DEV_PORT ?? SITE_PORT + 110);
export const DEV_SITE_URL = `http://localhost:${DEV_SITE_PORT}`;
export const DEV_STATE_DIR = `.wrangler/dev-test-state-${DEV_SITE_PORT}`;
export const DEV_VITE_CACHE_DIR = `node_modules/.vite-e2e-dev-${DEV_SITE_PORT}`;
