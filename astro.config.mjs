// Astro configuration: MDX essays, sitemap, and the Cloudflare Workers adapter.
// Public pages are prerendered; member pages and form handlers opt out with `export const prerender = false`.
import { defineConfig } from "astro/config";
import cloudflare from "@astrojs/cloudflare";
import mdx from "@astrojs/mdx";
import sitemap from "@astrojs/sitemap";
import validateDonationConfig from "./src/integrations/validate-donation-config";
import { commonPasswords } from "./src/integrations/common-passwords";

// Paths that render per request or hold member text: they never go in the sitemap.
const notInSitemap = /\/(join|login|logout|verify|forgot|reset|account|donate|dev|api|search)(\/|$)|\/strategy\/.+/;

// The public address of the site: canonical URLs, feeds and the sitemap use it.
const site = process.env.SITE_URL ?? "https://smallism.org";

/** Adds /dev/mailbox to dev servers and test builds only (DEV_MAILBOX=1); production builds never contain it. */
const devMailbox = {
  name: "smallism-dev-mailbox",
  hooks: {
    "astro:config:setup": ({ command, injectRoute }) => {
      if (command === "dev" || process.env.DEV_MAILBOX === "1") {
        injectRoute({ pattern: "/dev/mailbox", entrypoint: "./src/dev/mailbox.astro", prerender: false });
      }
    },
  },
};

export default defineConfig({
  site,
  // Benchmarks build generated content into their own folder; everyone else builds into dist/.
  outDir: process.env.SMALLISM_OUT_DIR ?? "./dist",
  trailingSlash: "ignore",
  output: "static",
  // We keep our own sessions in D1 (functions/auth/), not Astro's KV sessions.
  session: false,
  adapter: cloudflare({
    imageService: "passthrough",
    // Prerender in Node: the RSS feed renders MDX through the container API, which needs Node there.
    prerenderEnvironment: "node",
    // Local D1 lives in .wrangler/state; the test suite uses its own folder so it never touches yours.
    persistState: process.env.SMALLISM_STATE_DIR ? { path: process.env.SMALLISM_STATE_DIR } : true,
  }),
  integrations: [validateDonationConfig(), mdx(), devMailbox, sitemap({
      filter: (page) => !notInSitemap.test(new URL(page).pathname),
      // The strategy index is rendered on demand but public (titles and summaries only), so it is listed.
      customPages: [new URL("/strategy/", site).href],
    })],
  build: { inlineStylesheets: "never", format: "directory" },
  // Form-post origin checks are ours (src/middleware.ts) so they also cover JSON posts.
  security: { checkOrigin: false },
  // Never inline scripts: the Content-Security-Policy allows scripts from our own origin only. The common-password
  // list is generated into the Worker from its npm package (src/integrations/common-passwords.ts).
  vite: { build: { assetsInlineLimit: 0 }, plugins: [commonPasswords()] },
  devToolbar: { enabled: false },
});
