// The Worker's entry point (wrangler.toml `main`): Astro's request handler, plus the daily Cron Trigger that
// deletes expired rows (functions/housekeeping.ts). Everything a visitor sees goes through `fetch`.
import astro from "@astrojs/cloudflare/entrypoints/server";
import { deleteExpiredRows } from "@functions/housekeeping";
import { nowSeconds } from "@functions/clock";
import { logger } from "@functions/log";

export default {
  fetch: astro.fetch,
  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(deleteExpiredRows(env.DB, nowSeconds()).then((deleted) => logger("housekeeping").info("expired.deleted", { ...deleted })));
  },
} satisfies ExportedHandler<Env>;
