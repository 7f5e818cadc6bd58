// Configuration the browser and HTTP tests run the built site with. These are public test values for local
// stand-ins of Stripe and Have I Been Pwned, not secrets: real keys only ever live in .dev.vars or `wrangler secret put`.
// Ports and state folder can be moved (E2E_SITE_PORT, E2E_STRIPE_PORT, E2E_EXTRA_PORT; the breach stand-in takes the
// Stripe port + 10 unless E2E_PWNED_PORT says otherwise, the letters provider's + 20 unless E2E_LETTERS_PORT does) to run
// two suites side by side.
import { STAND_IN_KEYS, STAND_IN_TOPIC } from "./letters-stand-in-keys.mjs";

export const SITE_PORT = Number(process.env.E2E_SITE_PORT ?? 4321);
export const SITE_URL = `http://localhost:${SITE_PORT}`;
export const STRIPE_STAND_IN_PORT = Number(process.env.E2E_STRIPE_PORT ?? 12111);
export const PWNED_STAND_IN_PORT = Number(process.env.E2E_PWNED_PORT ?? STRIPE_STAND_IN_PORT + 10);
/** The letters provider stand-in (SES and its SNS topic: tests/support/letters-provider-stand-in.mjs). */
export const LETTERS_STAND_IN_PORT = Number(process.env.E2E_LETTERS_PORT ?? STRIPE_STAND_IN_PORT + 20);
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
  LETTERS_FROM: "Smallism <letters@smallism.example>",
  LETTERS_SES_REGION: STAND_IN_KEYS.region,
  LETTERS_SES_CONFIGURATION_SET: "letters",
  LETTERS_UNSUBSCRIBE_MAILTO: "unsubscribe@smallism.example",
  LETTERS_SNS_TOPIC_ARN: STAND_IN_TOPIC,
  LETTERS_AWS_ACCESS_KEY_ID: STAND_IN_KEYS.accessKeyId,
  LETTERS_AWS_SECRET_ACCESS_KEY: STAND_IN_KEYS.secretAccessKey,
  LETTERS_API_BASE: `http://127.0.0.1:${LETTERS_STAND_IN_PORT}`,
  LETTERS_EVENTS_CERT_URL: `http://127.0.0.1:${LETTERS_STAND_IN_PORT}/sns/cert.pem`,
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
