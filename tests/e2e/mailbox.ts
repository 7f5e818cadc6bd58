// The dev mailbox (/dev/mailbox, in test builds only) as the browser and HTTP tests read it: the plain-text emails
// sent to one address, waiting a little for mail the site sends after answering (resets go out via waitUntil), and
// the verification code or reset token in the newest one.
import { expect, type APIRequestContext } from "@playwright/test";
import { decodeEntities } from "@tests/support/text";
import { throughLocalProxy } from "./http";

/** How long to wait for an email the site sends after it has answered. */
const MAIL_WAIT_MS = 5_000;

/** Plain-text bodies of the emails in the dev mailbox to `to`, newest first (no waiting). */
export async function mailTo(request: APIRequestContext, to: string): Promise<string[]> {
  const response = await throughLocalProxy(() => // Relative to the baseURL, so the dev-server tests (playwright.dev.config.ts) read their own mailbox.
    request.get(`/dev/mailbox?to=${encodeURIComponent(to)}`, { headers: { Cookie: "" } }), "GET /dev/mailbox");
  expect(response.status()).toBe(200);
  const html = await response.text();
  return [...html.matchAll(/<pre class="mail-text"[^>]*>([\s\S]*?)<\/pre>/g)]
    // The mailbox shows web addresses as links; the tags are dropped to read the plain text that was sent.
    .map((m) => decodeEntities(m[1]!.replace(/<[^>]*>/g, "")));
}

/**
 * Mail to `to` whose text matches `pattern`, newest first, waiting up to 5 s until there are `count` of them
 * (fewer when the time runs out: the caller asserts how many it expected).
 */
export async function waitForMail(request: APIRequestContext, to: string, pattern: RegExp, count = 1): Promise<string[]> {
  const deadline = Date.now() + MAIL_WAIT_MS;
  for (;;) {
    const matching = (await mailTo(request, to)).filter((text) => pattern.test(text));
    if (matching.length >= count || Date.now() > deadline) return matching;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The newest email to `to` whose text matches `containing`, waiting up to 5 s for one; throws when none comes. */
export async function latestEmail(request: APIRequestContext, to: string, containing = /./): Promise<string> {
  const [newest] = await waitForMail(request, to, containing);
  if (newest === undefined) throw new Error(`no email to ${to} matching ${containing}`);
  return newest;
}

/** The verification code in the newest email to `to`. */
export async function latestCode(request: APIRequestContext, to: string): Promise<string> {
  const code = /code is ([A-Z0-9]{8})/.exec(await latestEmail(request, to))?.[1];
  if (!code) throw new Error(`no code in the newest email to ${to}`);
  return code;
}

/** The token in the newest reset link mailed to `to`. */
export async function resetTokenFor(request: APIRequestContext, to: string): Promise<string> {
  const [newest] = await waitForMail(request, to, /\/reset\?token=/);
  const token = /\/reset\?token=([a-z2-7]+)/.exec(newest ?? "")?.[1];
  if (!token) throw new Error(`no reset link in the newest email to ${to}`);
  return token;
}
