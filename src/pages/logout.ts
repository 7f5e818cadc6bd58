// Sign out (POST only): deletes this session and clears the cookies, then shows the static /signed-out/ page.
import type { APIRoute } from "astro";
import { invalidateSession } from "@functions/auth/sessions";
import { logger } from "@functions/log";
import { getDb } from "@src/lib/runtime";
import { clearSessionCookie } from "@functions/auth/session-cookie";

export const prerender = false;

export const POST: APIRoute = async ({ locals, cookies, url, redirect }) => {
  if (locals.session !== null) {
    await invalidateSession(getDb(), locals.session.id);
    logger("auth").info("signout", { userId: locals.session.userId });
  }
  clearSessionCookie(cookies, url);
  return redirect("/signed-out/", 303);
};

export const GET: APIRoute = () =>
  new Response("Signing out needs the button on your account page (it is a POST, so links cannot sign you out).", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
