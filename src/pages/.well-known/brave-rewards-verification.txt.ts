// /.well-known/brave-rewards-verification.txt: the Brave Rewards creator-verification file, served from the
// BRAVE_REWARDS_VERIFICATION setting exactly as Brave issued it; 404 when it is not configured.
import type { APIRoute } from "astro";
import { env } from "cloudflare:workers";

export const prerender = false;

export const GET: APIRoute = () => {
  const text = env.BRAVE_REWARDS_VERIFICATION;
  if (!text || text.trim() === "") {
    return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  // .dev.vars and `wrangler secret put` may carry the file's line breaks as literal "\n": restore them.
  const body = text.includes("\n") ? text : text.replace(/\\n/g, "\n");
  return new Response(body, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
};
