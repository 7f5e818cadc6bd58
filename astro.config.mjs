// Astro configuration: MDX essays, sitemap, and the Cloudflare Workers adapter.
// Public pages are prerendered; member pages and form handlers opt out with `export const prerender = false`.
import { defineConfig } from "astro/config";
import cloudflare from "@astrojs/cloudflare";
import mdx from "@astrojs/mdx";
import sitemap from "@astrojs/sitemap";
import validateDonationConfig from "./src/integrations/validate-donation-config";
import { wranglerVar } from "./src/integrations/wrangler-vars";
import devSearchIndex from "./src/integrations/dev-search-index";
import workerContent from "./src/integrations/worker-content";
import inlineFirstPaint from "./src/integrations/inline-first-paint";
import { commonPasswords } from "./src/integrations/common-passwords";

// Paths that render per request or hold member text: they never go in the sitemap.
const notInSitemap = /\/(admin|join|login|logout|signed-out|verify|forgot|reset|account|account-deleted|donate|dev|api|search|unsubscribe|wards\/(mine|propose))(\/|$)|\/strategy\/.+/;

// The public address of the site: canonical URLs, feeds and the sitemap use it. SITE_URL in the environment wins;
// otherwise it is wrangler.toml's [vars] SITE_URL, the address the Worker's emails link to, so the two agree.
const site = process.env.SITE_URL ?? wranglerVar(new URL("./", import.meta.url), "SITE_URL");
if (!site) throw new Error("Set SITE_URL in wrangler.toml [vars] to the site's public address (README: Deploying).");

/**
 * Minifies the Worker (Vite's "ssr" environment, which the adapter builds it in): Astro's build sets `minify: false`
 * for server output after reading the user's config, so neither `vite.build.minify` nor `environments.ssr` reaches it;
 * a late `configEnvironment` hook does. It halves the Worker (2.24 MB → 1.26 MB of code), which is what Workers parse
 * at start-up and what counts against the size limit; source maps (dist/server/**\/*.map) keep stack traces readable.
 */
function minifyWorker() {
  return {
    name: "smallism-minify-worker",
    enforce: "post",
    apply: "build",
    configEnvironment(name, config) {
      if (name === "ssr") config.build = { ...config.build, minify: true };
    },
  };
}

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
    // Images are optimised by sharp at build time (AVIF/WebP at several widths, written to dist/client/_astro):
    // essays are prerendered, and neither sharp nor a free image service runs in the Worker.
    imageService: "compile",
    // Prerender in Node: the RSS feed renders MDX through the container API, which needs Node there.
    prerenderEnvironment: "node",
    // Local D1 lives in .wrangler/state; the test suite uses its own folder so it never touches yours.
    persistState: process.env.SMALLISM_STATE_DIR ? { path: process.env.SMALLISM_STATE_DIR } : true,
  }),
    // The Worker's build holds member-only content only; public essays are prerendered (src/integrations/worker-content.ts).
  integrations: [validateDonationConfig(), mdx(), devMailbox, devSearchIndex(), workerContent(), sitemap({
      filter: (page) => !notInSitemap.test(new URL(page).pathname),
      // The strategy index is rendered on demand but public (titles and summaries only), so it is listed.
      customPages: [new URL("/strategy/", site).href],
    }),
    // Prerendered pages carry their stylesheet and head script inline, hashed in _headers (src/integrations/inline-first-paint.ts).
    inlineFirstPaint()],
  // Stylesheets stay files in what Astro renders; inline-first-paint inlines them into prerendered pages after the build.
  build: { inlineStylesheets: "never", format: "directory" },
  // Form-post origin checks are ours (src/middleware.ts) so they also cover JSON posts.
  security: { checkOrigin: false },
  vite: {
    // Never inline scripts: the Content-Security-Policy allows scripts from our own origin only.
    build: { assetsInlineLimit: 0 },
    // The common-password list is generated into the Worker from its npm package (src/integrations/common-passwords.ts).
    plugins: [commonPasswords(), minifyWorker()],
    // The dev-server tests (playwright.dev.config.ts) keep their own pre-bundled dependencies: two dev servers sharing
    // node_modules/.vite re-bundle each other's and break (one with another's settings sees a different config).
    cacheDir: process.env.SMALLISM_VITE_CACHE_DIR,
    // `astro dev` renders prerendered pages in Node (the "prerender" environment). With Astro pre-bundled there, a page
    // requested while the dev server starts could get a second copy of Astro's runtime and render as a production
    // page: no styles, no Vite client, for the whole session (1 start in 3 here). Unbundled, there is one copy.
    environments: { prerender: { optimizeDeps: { noDiscovery: true, include: [] } } },
  },
  devToolbar: { enabled: false },
});
