// The Worker's entry point (wrangler.toml `main`): Astro's request handler behind the redirect of plain HTTP to
// HTTPS (functions/http/https-only.ts), plus the daily Cron Trigger that deletes expired rows
// (functions/housekeeping.ts). Every on-demand page and endpoint goes through `fetch`.
import astro from "@astrojs/cloudflare/entrypoints/server";
import { redirectToHttps } from "@functions/http/https-only";
import { deleteExpiredRows } from "@functions/housekeeping";
import { nowSeconds } from "@functions/clock";
import { logger } from "@functions/log";

export default {
  async fetch(request, env, ctx) {
    return (await redirectToHttps(request)) ?? astro.fetch(request, env, ctx);
  },
  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(deleteExpiredRows(env.DB, nowSeconds()).then((deleted) => logger("housekeeping").info("expired.deleted", { ...deleted })));
  },
} satisfies ExportedHandler<Env>;
