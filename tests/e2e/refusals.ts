// What a refused request must look like, for the Origin-check and hostile-input tests: a 4xx that is the site's own
// page, names the problem, starts no session, redirects nowhere, and shows no stack trace, database error or payload
// as live markup. Also posts that send bodies over DRAIN_LIMIT (1 MiB) on a connection of their own.
import { expect, type APIRequestContext, type APIResponse, type PlaywrightWorkerArgs } from "@playwright/test";
import { DRAIN_LIMIT } from "@functions/http/request-body";
import { postForm, sessionCookieSet } from "./http";

/** A payload that must never come back as live markup. */
export const SCRIPT = "<script>alert(1)</script>";

/** An answer read in full: status, headers, body and the session cookie it set (null for none). */
export interface Reply { status: number; headers: Record<string, string>; body: string; cookie: string | null }

/** The HTML with every double-quoted attribute value removed: what is left is what a browser parses as markup. */
export function markupOnly(html: string): string {
  return html.replace(/="[^"]*"/g, '=""');
}

/** Fails unless `status` is a 4xx and `body` is neither a crash nor a stack trace. */
function expectClean4xxParts(status: number, body: string, label: string): void {
  expect(status, `${label}: ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(status, label).toBeLessThan(500);
  expect(body, label).not.toMatch(/\bat [^\n]*\.(?:m?js|ts):\d+:\d+/);
  expect(body, label).not.toMatch(/D1_ERROR|SQLITE_|TypeError|ReferenceError/);
}

/** Fails unless the response is a 4xx that is neither a crash nor a stack trace; returns its body. */
export async function expectClean4xx(response: APIResponse, label: string): Promise<string> {
  const body = await response.text();
  expectClean4xxParts(response.status(), body, label);
  return body;
}

async function toReply(response: APIResponse): Promise<Reply> {
  return { status: response.status(), headers: response.headers(), body: await response.text(), cookie: sessionCookieSet(response)?.value ?? null };
}

/**
 * Posts a form. Bodies over DRAIN_LIMIT (1 MiB), which the site cuts off rather than drains, go on a fresh
 * connection each, as a client must expect after a cut-off upload (postForm re-sends what the local proxy drops then).
 */
export async function submit(
  playwright: PlaywrightWorkerArgs["playwright"], request: APIRequestContext, path: string, caller: Parameters<typeof postForm>[2],
  body: Parameters<typeof postForm>[3], contentType?: string,
): Promise<Reply> {
  const size = typeof body === "string" ? body.length : (Array.isArray(body) ? body : Object.entries(body)).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size <= DRAIN_LIMIT) return toReply(await postForm(request, path, caller, body, contentType));
  const isolated = await playwright.request.newContext();
  try {
    return await toReply(await postForm(isolated, path, caller, body, contentType));
  } finally {
    await isolated.dispose();
  }
}

/** Asserts a hostile post answered a clean 4xx naming a problem, without the payload as live markup. */
export function expectRefused(reply: Reply, label: string, expectedStatus?: number | number[]): void {
  const { body } = reply;
  expectClean4xxParts(reply.status, body, label);
  if (expectedStatus !== undefined) expect([expectedStatus].flat(), label).toContain(reply.status);
  expect(reply.cookie, label).toBeNull();
  expect(reply.headers["location"], label).toBeUndefined();
  // It is the site's own page (security headers on), and the problem is named: a form alert or a field message.
  expect(reply.headers["x-frame-options"], label).toBe("DENY");
  expect(body, label).toMatch(/role="alert"|class="field-error"/);
  expect(markupOnly(body), label).not.toContain(SCRIPT);
  expect(markupOnly(body), label).not.toContain("<script>alert");
}
