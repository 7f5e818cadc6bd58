// Members created and used through the real endpoints over HTTP (no browser): join, verify with the mailed code,
// sign in, and whether a session token still opens /account; plus a forged token and the display name /account shows.
import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";
import { uniqueIp } from "./fixtures";
import { get, postForm, sessionCookieSet, type Caller } from "./http";
import { latestCode } from "./mailbox";

/** A member the test created: credentials, the session token and the IP they act from. */
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
  const response = await postForm(request, "/verify", { ip: member.ip, token: member.token }, { action: "verify", code: await latestCode(request, member.email), next: "/account" });
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

/** The display name shown on /account for `member` (null when none). */
export async function displayNameOnAccount(request: APIRequestContext, member: Member): Promise<string | null> {
  const response = await get(request, "/account", { ip: member.ip, token: member.token });
  expect(response.status()).toBe(200);
  const html = await response.text();
  const value = /<input id="field-displayName" name="displayName"[^>]*value="([^"]*)"/.exec(html)?.[1];
  return value === undefined || value === "" ? null : value;
}
