// Raw-HTTP helpers for the account, security and leak tests: form posts with full control over Origin, client
// IP and the session cookie (never the request context's cookie jar), Set-Cookie parsing, dev-mailbox reads,
// and members created and verified through the real endpoints. Browser flows use fixtures.ts instead.
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { SITE_URL } from "@tests/support/test-env";
import { uniqueIp } from "./fixtures";
import { DRAIN_LIMIT } from "@functions/http/request-body";

export const SESSION_COOKIE = "smallism_session";

export interface Caller {
  /** CF-Connecting-IP for the request (each actor its own, so throttles never spill over). */
  ip: string;
  /** Session token to send as the cookie, or null for none. */
  token?: string | null;
  /** Origin header: our own origin by default; null leaves it out; "null" sends the literal string. */
  origin?: string | null;
}

function headersFor(caller: Caller, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    "CF-Connecting-IP": caller.ip,
    // An explicit (possibly empty) Cookie header makes Playwright ignore its cookie jar: each call sends
    // exactly the cookie the test chose.
    Cookie: caller.token ? `${SESSION_COOKIE}=${caller.token}` : "",
    ...extra,
  };
  const origin = caller.origin === undefined ? SITE_URL : caller.origin;
  if (origin !== null) headers.Origin = origin;
  return headers;
}

/**
 * The local preview stack (@cloudflare/vite-plugin → miniflare, over undici) sometimes fails to relay a Worker
 * answer that comes before the request body was read, and the broken upstream connection can then fail the next
 * request too. Connect's error page is sent instead: 500, `Content-Security-Policy: default-src 'none'`,
 * "TypeError: fetch failed". The site drains refused bodies up to DRAIN_LIMIT (1 MiB) so this never happens below
 * that size; larger uploads are cut off on purpose. The Worker never sends that page (its pages carry the site's
 * CSP), and production has no such proxy, so this recognises exactly that page.
 */
export async function isLocalProxyFailure(response: APIResponse): Promise<boolean> {
  if (response.status() !== 500 || response.headers()["content-security-policy"] !== "default-src 'none'") return false;
  return (await response.text()).includes("TypeError: fetch failed");
}

/** Tests that sent an upload over DRAIN_LIMIT: the site cuts those off, so the local proxy may drop an answer in them. */
const testsWithCutOffUploads = new WeakSet<object>();

/**
 * Sends a request, and in a test that has sent an upload the site cuts off (over DRAIN_LIMIT) sends it again while
 * the local proxy answers with its failure page (see isLocalProxyFailure); each retry is noted on the test. Anywhere
 * else that page fails the test. Safe: requests that change anything are read in full by the Worker before it
 * answers, so the failure only ever hits answers given without side effects, or requests that never reached it.
 */
async function throughLocalProxy(send: () => Promise<APIResponse>, what: string, bodyBytes = 0): Promise<APIResponse> {
  if (bodyBytes > DRAIN_LIMIT) testsWithCutOffUploads.add(test.info());
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (!testsWithCutOffUploads.has(test.info()) || attempt >= 6 || !(await isLocalProxyFailure(response))) return response;
    test.info().annotations.push({ type: "local-proxy", description: `${what}: the preview proxy dropped the answer after a cut-off upload (attempt ${attempt}); sent again` });
  }
}

/** GET without following redirects. */
export function get(request: APIRequestContext, path: string, caller: Caller): Promise<APIResponse> {
  return throughLocalProxy(() => request.get(new URL(path, SITE_URL).href, { headers: headersFor(caller), maxRedirects: 0 }), `GET ${path}`);
}

/** POSTs a URL-encoded form (fields in order, repeats allowed, or a raw body string) without following redirects. */
export function postForm(
  request: APIRequestContext, path: string, caller: Caller, body: Record<string, string> | Array<[string, string]> | string,
  contentType = "application/x-www-form-urlencoded",
): Promise<APIResponse> {
  const data = typeof body === "string" ? body : new URLSearchParams(Array.isArray(body) ? body : Object.entries(body)).toString();
  return throughLocalProxy(
    () => request.post(new URL(path, SITE_URL).href, { headers: headersFor(caller, { "Content-Type": contentType }), data, maxRedirects: 0 }),
    `POST ${path} (${data.length} bytes)`,
    data.length,
  );
}

/** POSTs a JSON body without following redirects. */
export function postJson(request: APIRequestContext, path: string, caller: Caller, body: unknown): Promise<APIResponse> {
  return throughLocalProxy(
    () => request.post(new URL(path, SITE_URL).href, { headers: headersFor(caller, { "Content-Type": "application/json" }), data: JSON.stringify(body), maxRedirects: 0 }),
    `POST ${path} (JSON)`,
  );
}

/** Every Set-Cookie header of a response. */
export function setCookies(response: APIResponse): string[] {
  return response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
}

/** The session cookie a response sets, as { value, header }, or null when it sets none. */
export function sessionCookieSet(response: APIResponse): { value: string; header: string } | null {
  const header = setCookies(response).find((value) => value.startsWith(`${SESSION_COOKIE}=`));
  if (header === undefined) return null;
  return { value: header.slice(SESSION_COOKIE.length + 1).split(";")[0]!, header };
}

/** Plain-text bodies of the emails in the dev mailbox to `to`, newest first. */
export async function mailTo(request: APIRequestContext, to: string): Promise<string[]> {
  const response = await throughLocalProxy(() => request.get(`${SITE_URL}/dev/mailbox?to=${encodeURIComponent(to)}`, { headers: { Cookie: "" } }), "GET /dev/mailbox");
  expect(response.status()).toBe(200);
  const html = await response.text();
  return [...html.matchAll(/<pre class="mail-text"[^>]*>([\s\S]*?)<\/pre>/g)].map((m) => decodeEntities(m[1]!));
}

/** Decodes the HTML entities Astro emits (named basics and numeric). */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&");
}

/** The newest verification code mailed to `to`. */
export async function codeFor(request: APIRequestContext, to: string): Promise<string> {
  const [newest] = await mailTo(request, to);
  const code = /code is ([A-Z0-9]{8})/.exec(newest ?? "")?.[1];
  if (!code) throw new Error(`no code in the newest email to ${to}`);
  return code;
}

/**
 * Mail to `to` whose text matches `pattern`, newest first, waiting up to 5 s until there are `count` of them:
 * reset links are mailed after /forgot has answered.
 */
export async function waitForMail(request: APIRequestContext, to: string, pattern: RegExp, count = 1): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const matching = (await mailTo(request, to)).filter((text) => pattern.test(text));
    if (matching.length >= count || Date.now() > deadline) return matching;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The token in the newest reset link mailed to `to`. */
export async function resetTokenFor(request: APIRequestContext, to: string): Promise<string> {
  const [newest] = await waitForMail(request, to, /\/reset\?token=/);
  const token = /\/reset\?token=([a-z2-7]+)/.exec(newest ?? "")?.[1];
  if (!token) throw new Error(`no reset link in the newest email to ${to}`);
  return token;
}

export interface Member { email: string; password: string; token: string; ip: string }

/** Joins through POST /join; returns the new member with the session token the response set. */
export async function joinHttp(request: APIRequestContext, email: string, password = "a long enough pass phrase", ip = uniqueIp()): Promise<Member> {
  const response = await postForm(request, "/join", { ip }, { email, password, agree: "yes" });
  expect(response.status(), await response.text()).toBe(303);
  const cookie = sessionCookieSet(response);
  expect(cookie).not.toBeNull();
  return { email, password, token: cookie!.value, ip };
}

/** Enters the mailed code through POST /verify. */
export async function verifyHttp(request: APIRequestContext, member: Member): Promise<void> {
  const response = await postForm(request, "/verify", { ip: member.ip, token: member.token }, { action: "verify", code: await codeFor(request, member.email), next: "/account" });
  expect(response.status()).toBe(303);
  expect(response.headers().location).toBe("/account");
}

/** A member who has joined and verified over HTTP. */
export async function verifiedMember(request: APIRequestContext, email: string, password?: string): Promise<Member> {
  const member = await joinHttp(request, email, password);
  await verifyHttp(request, member);
  return member;
}

/** Signs in through POST /login; returns the response (303 with a cookie on success). */
export function signInHttp(request: APIRequestContext, email: string, password: string, caller: Caller, next?: string): Promise<APIResponse> {
  const fields: Record<string, string> = { email, password };
  if (next !== undefined) fields.next = next;
  return postForm(request, "/login", caller, fields);
}

/** True when `token` opens /account (200), false when it is sent to /login (303). */
export async function tokenOpensAccount(request: APIRequestContext, token: string, ip = uniqueIp()): Promise<boolean> {
  const response = await get(request, "/account", { ip, token });
  if (response.status() === 200) return true;
  expect(response.status()).toBe(303);
  expect(response.headers().location).toMatch(/^\/login/);
  return false;
}

/** A random value shaped like a session token (32 base32 characters) that no session has. */
export function forgedToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (byte) => alphabet[byte % 32]).join("");
}

// ---- Member-only text: the sentences that must never reach a reader without a valid, verified session. ----

/** Folds typography that Markdown rendering may change (smart quotes, dashes, ellipses, spaces) so texts compare equal. */
export function foldText(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/\u2026/g, "...")
    .replace(/[\u2012\u2013\u2014\u2015\u2212]|-{2,3}/g, "-")
    .replace(/[\s\u00a0\u202f]+/g, " ")
    .replace(/ ([.,;:!?)])/g, "$1")
    .replace(/\( /g, "(")
    .trim();
}

/** Plain text of an HTML or XML response: tags dropped, entities decoded (twice, for escaped HTML in feeds), folded. */
export function plainText(markup: string): string {
  let text = markup.replace(/<!\[CDATA\[|\]\]>/g, " ");
  // Block-level tags separate words; inline tags (strong, a, em, code…) do not.
  const block = /<\/?(?:p|div|li|ul|ol|h[1-6]|br|hr|td|th|tr|table|thead|tbody|section|article|header|footer|nav|main|aside|blockquote|pre|figure|figcaption|title|meta|link|script|style|head|body|html|item|description|loc|url|dt|dd|dl|option|button|label|input|form)\b[^>]*>/gi;
  for (let round = 0; round < 2; round++) text = decodeEntities(text.replace(block, " ").replace(/<[^>]*>/g, ""));
  return foldText(text);
}

/** The body of an MDX file as plain sentences: frontmatter, imports, tags, tables, code and Markdown syntax removed. */
export function mdxSentences(source: string, minWords = 8): string[] {
  const body = source.replace(/^---\n[\s\S]*?\n---\n/, "");
  const paragraphs: string[] = [];
  let current: string[] = [];
  let inFence = false;
  for (const rawLine of body.split("\n")) {
    const line = rawLine.trim();
    if (line.startsWith("```")) { inFence = !inFence; continue; }
    const skip = inFence || /^(import|export)\s/.test(line) || line.startsWith("|") || /^<\/?[A-Za-z]/.test(line);
    if (line === "" || skip) {
      if (current.length) paragraphs.push(current.join(" "));
      current = [];
      continue;
    }
    // Headings and list items stand alone: each is its own paragraph.
    if (/^(#{1,6}\s|[-*+]\s|\d+\.\s)/.test(line)) {
      if (current.length) paragraphs.push(current.join(" "));
      current = [];
      paragraphs.push(line);
      continue;
    }
    current.push(line);
  }
  if (current.length) paragraphs.push(current.join(" "));

  const sentences: string[] = [];
  for (const paragraph of paragraphs) {
    const text = paragraph
      .replace(/^#{1,6}\s+/, "")
      .replace(/^(?:[-*+]|\d+\.)\s+/, "")
      .replace(/^>\s?/, "")
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
      .replace(/`([^`]*)`/g, "$1")
      .replace(/(\*\*|__)(.+?)\1/g, "$2")
      .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=[^\w*]|$)/g, "$1$2")
      .replace(/<[^>]+>/g, "")
      .replace(/\\([\\`*_{}[\]()#+\-.!])/g, "$1");
    for (const sentence of text.split(/(?<=[.!?])\s+(?=["'\u2018\u201C(]?[A-Z0-9£$])/)) {
      const folded = foldText(sentence);
      if (folded.split(" ").length >= minWords) sentences.push(folded);
    }
  }
  return [...new Set(sentences)];
}
