// The Worker's entry point (wrangler.toml `main`): Astro's request handler behind the redirect of plain HTTP to
// HTTPS (functions/http/https-only.ts) and the visitors' public cache (src/lib/public-cache.ts), plus the daily Cron
// Trigger that deletes expired rows (functions/housekeeping.ts) and retries deleting the Stripe customers of deleted
// accounts that Stripe did not confirm at the time (functions/donations/customer-deletion.ts) and folds old letter
// deliveries (functions/letters/retention.ts); the minute Cron Trigger starts scheduled letters; `queue` consumes the
// letters queue and its dead-letter queue; `email` takes mailto unsubscribes (functions/letters/runtime.ts). Every
// on-demand page and endpoint goes through `fetch`.
import astro from "@astrojs/cloudflare/entrypoints/server";
import { redirectToHttps } from "@functions/http/https-only";
import { servePublicCopy } from "@src/lib/public-cache";
import { finishAnswerHeaders } from "@src/lib/answer-headers";
import { countsD1Queries } from "@src/lib/runtime";
import { countQueries } from "@functions/http/d1-counter";
import { discardBody } from "@functions/http/request-body";
import { deleteExpiredRows } from "@functions/housekeeping";
import { retryStripeCustomerDeletions } from "@functions/donations/customer-deletion";
import { stripeFromEnv } from "@functions/donations/stripe-client";
import { nowSeconds } from "@functions/clock";
import { logger } from "@functions/log";
import { foldOldDeliveries } from "@functions/letters/retention";
import { handleLettersQueue, handleUnsubscribeEmail, runLettersMinute } from "@functions/letters/runtime";

/** A visitor's copy of a shared page with the headers every answer leaves with, or null to go on to Astro. */
async function answerFromPublicCache(request: Request): Promise<Response | null> {
  // Counted like a page when the build counts D1 queries: the tests and the bench read X-D1-Queries on hits too.
  const counting = countsD1Queries();
  const { result: copy, queries } = counting ? await countQueries(() => servePublicCopy(request)) : { result: await servePublicCopy(request), queries: 0 };
  if (copy === null) return null;
  finishAnswerHeaders(copy.headers);
  if (counting) copy.headers.set("X-D1-Queries", String(queries));
  return copy;
}

/** The minute Cron Trigger in wrangler.toml (the other one is the daily housekeeping). */
const EVERY_MINUTE = "* * * * *";

export default {
  async fetch(request, env, ctx) {
    const redirect = await redirectToHttps(request);
    if (redirect) return redirect;
    // A visitor's copy of a shared page needs neither Astro nor D1 (astro dev never caches, so it never has one).
    const copy = import.meta.env.DEV ? null : await answerFromPublicCache(request);
    if (copy !== null) return copy;
    const response = await astro.fetch(request, env, ctx);
    // An answer given without reading the upload (a POST to a path with no page, a 404) would leave it unread, and
    // proxies in front of the Worker (the local preview's among them) then drop the connection for the next request.
    await discardBody(request);
    return response;
  },
  async scheduled(controller, env, ctx): Promise<void> {
    if (controller.cron === EVERY_MINUTE) {
      ctx.waitUntil(runLettersMinute(env, nowSeconds()));
      return;
    }
    const log = logger("housekeeping");
    ctx.waitUntil(deleteExpiredRows(env.DB, nowSeconds()).then((deleted) => log.info("expired.deleted", { ...deleted })));
    ctx.waitUntil(
      retryStripeCustomerDeletions(env.DB, () => stripeFromEnv(env), nowSeconds()).then((report) => log.info("stripe_customers.retried", { ...report })),
    );
    ctx.waitUntil(foldOldDeliveries(env.DB, nowSeconds()).then((folded) => log.info("deliveries.folded", { folded })));
  },
  async queue(batch, env): Promise<void> {
    await handleLettersQueue(batch, env);
  },
  async email(message, env): Promise<void> {
    await handleUnsubscribeEmail(message.headers.get("subject") ?? "", env);
  },
} satisfies ExportedHandler<Env>;
