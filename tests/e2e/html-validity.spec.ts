// Every page the Worker renders on demand is valid HTML as served (html-validate with the project's rules,
// .htmlvalidate.json; the prerendered pages are checked in dist/client by tests/build/html-validity.test.ts):
// the forms for a visitor, a member and with a problem to show, donations before and after paying, the account
// page, the strategy section signed out and in, and the not-found pages.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import type { APIResponse } from "@playwright/test";
import { htmlProblems } from "@tests/support/html-validity";
import { STRIPE_STAND_IN_PORT } from "@tests/support/test-env";
import { get, postForm, type Caller } from "./http";
import { joinHttp, verifiedMember } from "./members";

const STRATEGY_PAGE = "/strategy/how-members-vote/";
const STAND_IN = `http://127.0.0.1:${STRIPE_STAND_IN_PORT}`;

/** Reads an HTML answer with the status it must have; returns its problems, each named by `label`. */
async function problemsIn(response: APIResponse, status: number, label: string): Promise<string[]> {
  expect(response.status(), label).toBe(status);
  expect(response.headers()["content-type"], label).toMatch(/^text\/html/);
  return htmlProblems(await response.text(), label);
}

/** GETs each path as `caller` (each with the status it must answer) and returns every problem found. */
async function problemsOnPages(request: Parameters<typeof get>[0], caller: Caller, pages: Array<[string, number]>, who: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, status] of pages) problems.push(...(await problemsIn(await get(request, path, caller), status, `${who} GET ${path}`)));
  return problems;
}

test("pages for a visitor, the not-found pages and the donation pages are valid HTML", async ({ request }) => {
  const caller = { ip: uniqueIp() };
  const problems = await problemsOnPages(request, caller, [
    ["/login", 200], ["/join", 200], ["/forgot", 200], ["/reset", 200], ["/reset?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 200],
    ["/donate", 200], ["/strategy/", 200], [STRATEGY_PAGE, 200], ["/unsubscribe?t=not-a-token", 400],
    ["/strategy/no-such-strategy-page/", 404], ["/no-such-page", 404],
    ["/donate/thanks?session_id=cs_test_unknownsession123", 404], ["/donate/thanks?session_id=..%2F..%2Fetc", 400],
  ], "visitor");

  // A donation through the real form, paid at the Stripe stand-in: the thank-you page with an amount.
  const form = await (await get(request, "/donate", caller)).text();
  const nonce = /name="nonce" value="([^"]+)"/.exec(form)?.[1];
  expect(nonce, "the donate form's nonce").toBeDefined();
  const checkout = await postForm(request, "/donate", caller, { amount: "other", custom_amount: "7", frequency: "once", note: "", nonce: nonce! });
  expect(checkout.status()).toBe(303);
  const sessionId = /\/c\/pay\/(cs_test_\w+)/.exec(checkout.headers().location ?? "")?.[1];
  expect(sessionId, checkout.headers().location).toBeDefined();
  await fetch(`${STAND_IN}/__sessions/${sessionId}/pay`, { method: "POST" });
  problems.push(...(await problemsIn(await get(request, `/donate/thanks?session_id=${sessionId}`, caller), 200, "visitor GET /donate/thanks (paid)")));
  expect(problems).toEqual([]);
});

test("forms showing a problem are valid HTML", async ({ request }) => {
  const caller = { ip: uniqueIp() };
  const posts: Array<[string, Record<string, string>, number]> = [
    ["/join", { email: "not an address", password: "short", agree: "" }, 400],
    ["/login", { email: uniqueEmail("nobody"), password: "a long enough pass phrase" }, 400],
    ["/forgot", { email: "" }, 400],
    ["/donate", { amount: "other", custom_amount: "-5", frequency: "once", note: "", nonce: "" }, 400],
  ];
  const problems: string[] = [];
  for (const [path, fields, status] of posts) problems.push(...(await problemsIn(await postForm(request, path, caller, fields), status, `POST ${path}`)));
  const member = await verifiedMember(request, uniqueEmail("valid-form"));
  const account = await postForm(request, "/account", { ip: member.ip, token: member.token }, { action: "delete", deletePassword: "not my password" });
  problems.push(...(await problemsIn(account, 400, "member POST /account (wrong password)")));
  expect(problems).toEqual([]);
});

test("pages for a member, before and after verifying, are valid HTML", async ({ request }) => {
  const unverified = await joinHttp(request, uniqueEmail("valid-unverified"));
  const problems = await problemsOnPages(request, { ip: unverified.ip, token: unverified.token }, [["/verify", 200]], "unverified member");
  const member = await verifiedMember(request, uniqueEmail("valid-member"));
  problems.push(...(await problemsOnPages(request, { ip: member.ip, token: member.token }, [
    ["/account", 200], ["/strategy/", 200], [STRATEGY_PAGE, 200], ["/essays/the-first-hundred-members/", 200],
    ["/donate", 200], ["/strategy/no-such-strategy-page/", 404],
  ], "member")));
  expect(problems).toEqual([]);
});
