// Hostile input on the forms that sign in without a password, over HTTP against the built site (the same table as
// tests/e2e/hostile-input.spec.ts for the other account forms): /login/code's two steps, /login's passkey form,
// /join's "no password" choice and /account/security (passkeys, removing and adding a password) each answer a clean
// 4xx naming the problem (never a 500), send no mail, start no session, store no passkey and leave the password be.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get } from "./http";
import { mailTo } from "./mailbox";
import { signInHttp, verifiedMember } from "./members";
import { SCRIPT, expectRefused, submit } from "./refusals";

const MEGABYTE = "a".repeat(1024 * 1024);
const SIXTY_FOUR_KB = "b".repeat(64 * 1024);

test("/login/code: no mail is sent and no session started", async ({ request, playwright }) => {
  const member = await verifiedMember(request, uniqueEmail("hostile-code"));
  const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
    ["empty body", "", 400],
    ["1 MB body", [["action", "send"], ["email", member.email], ["next", MEGABYTE]], 413],
    ["64 kB body", [["action", "code"], ["email", member.email], ["code", SIXTY_FOUR_KB]], 413],
    ["control character in the email", [["action", "send"], ["email", `${member.email}\u0007`]], 400],
    ["SQL in the email", [["action", "send"], ["email", `${member.email}' OR 1=1 --`]], 400],
    ["HTML in the email", [["action", "send"], ["email", `${SCRIPT}${member.email}`]], 400],
    ["two emails in one field", [["action", "send"], ["email", `${member.email}, b@x.org`]], 400],
    ["an extra field", [["action", "send"], ["email", member.email], ["isAdmin", "1"]], 400],
    ["a repeated field", [["action", "send"], ["email", uniqueEmail("other")], ["email", member.email]], 400],
    ["SQL as the code", [["action", "code"], ["email", member.email], ["code", "' OR '1'='1"]], 400],
    ["HTML as the code", [["action", "code"], ["email", member.email], ["code", SCRIPT]], 400],
    ["an overlong code", [["action", "code"], ["email", member.email], ["code", "C".repeat(200)]], 400],
    ["an unknown action", [["action", "delete"], ["email", member.email], ["code", "ABCDEFGH"]], 400],
    ["a JSON body", JSON.stringify({ action: "send", email: member.email }), 415],
  ];
  for (const [label, body, status] of cases) {
    const contentType = label === "a JSON body" ? "application/json" : undefined;
    expectRefused(await submit(playwright, request, "/login/code", { ip: uniqueIp() }, body, contentType), `/login/code ${label}`, status);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await mailTo(request, member.email)).toHaveLength(1); // the sign-up code only
});

test("/join with “no password”: nothing is created, no mail is sent", async ({ request, playwright }) => {
  const cases: Array<[string, (email: string) => Array<[string, string]>]> = [
    ["a password typed beside it", (email) => [["email", email], ["password", "a long enough pass phrase"], ["noPassword", "yes"], ["agree", "yes"]]],
    ["a repeated choice", (email) => [["email", email], ["noPassword", "yes"], ["noPassword", "yes"], ["agree", "yes"]]],
    ["HTML as the choice (so a password is needed)", (email) => [["email", email], ["noPassword", SCRIPT], ["agree", "yes"]]],
    ["no agreement", (email) => [["email", email], ["noPassword", "yes"]]],
    ["SQL in the email", (email) => [["email", `${email}' OR 1=1 --`], ["noPassword", "yes"], ["agree", "yes"]]],
    ["an extra field", (email) => [["email", email], ["noPassword", "yes"], ["agree", "yes"], ["passwordHash", "$none$"]]],
  ];
  for (const [label, build] of cases) {
    const email = uniqueEmail("hostile-nopw");
    expectRefused(await submit(playwright, request, "/join", { ip: uniqueIp() }, build(email)), `/join ${label}`, 400);
    expect(await mailTo(request, email), label).toEqual([]);
  }
});

test("/login passkey form: garbage answers are refused, no session started", async ({ request, playwright }) => {
  const fields = (overrides: Record<string, string>): Array<[string, string]> =>
    Object.entries({ action: "passkey", credentialId: "bm9ib2R5", clientDataJSON: "e30", authenticatorData: "AA", signature: "AA", userHandle: "", ...overrides });
  const cases: Array<[string, Array<[string, string]>, number]> = [
    ["not base64url", fields({ clientDataJSON: "***" }), 400],
    ["HTML as the credential id", fields({ credentialId: SCRIPT }), 400],
    ["a client data that is not JSON", fields({ clientDataJSON: "bm90IGpzb24" }), 400],
    ["a 64 kB signature", fields({ signature: SIXTY_FOUR_KB }), 413],
    ["an extra field", [...fields({}), ["isAdmin", "1"]], 400],
    ["a repeated signature", [...fields({}), ["signature", "AA"]], 400],
  ];
  for (const [label, body, status] of cases) expectRefused(await submit(playwright, request, "/login", { ip: uniqueIp() }, body), `/login passkey ${label}`, status);
});

test("/account/security: no passkey is stored, and the page still lists none", async ({ request, playwright }) => {
  const member = await verifiedMember(request, uniqueEmail("hostile-security"));
  const caller = () => ({ ip: uniqueIp(), token: member.token });
  const cases: Array<[string, string | Array<[string, string]>, number]> = [
    ["empty body", "", 400],
    ["garbage registration", [["action", "add"], ["passkeyName", "Phone"], ["clientDataJSON", "e30"], ["attestationObject", "oA"]], 400],
    ["not base64url", [["action", "add"], ["passkeyName", "Phone"], ["clientDataJSON", "***"], ["attestationObject", "***"]], 400],
    ["HTML as the name", [["action", "add"], ["passkeyName", SCRIPT], ["clientDataJSON", "e30"], ["attestationObject", "oA"]], 400],
    ["an overlong name", [["action", "rename"], ["passkeyId", "x"], ["passkeyName", "n".repeat(61)]], 400],
    ["renaming a passkey that is not theirs", [["action", "rename"], ["passkeyId", "someone-elses"], ["passkeyName", "Mine"]], 400],
    ["removing a passkey that is not theirs", [["action", "remove"], ["passkeyId", "someone-elses"]], 400],
    ["control characters", [["action", "rename"], ["passkeyId", "x"], ["passkeyName", "a\u0000"]], 400],
    ["an extra field", [["action", "add"], ["userId", "someone"]], 400],
    ["1 MB body", [["action", "add"], ["attestationObject", MEGABYTE]], 413],
    ["removing the password with no passkey", [["action", "remove-password"], ["confirmRemoval", "yes"]], 400],
    ["removing the password, HTML as the password", [["action", "remove-password"], ["removePasswordPassword", SCRIPT], ["confirmRemoval", "yes"]], 400],
    ["removing the password, a repeated confirmation", [["action", "remove-password"], ["confirmRemoval", "yes"], ["confirmRemoval", "yes"]], 400],
    ["removing the password, a 64 kB password", [["action", "remove-password"], ["removePasswordPassword", SIXTY_FOUR_KB]], 413],
    ["adding a password beside the one they have", [["action", "add-password"], ["newPassword", "copper meadow seventeen"]], 400],
    ["adding a password, SQL as the password", [["action", "add-password"], ["newPassword", "' OR '1'='1"]], 400],
    ["adding a password, a repeated field", [["action", "add-password"], ["newPassword", "copper meadow seventeen"], ["newPassword", "x"]], 400],
  ];
  for (const [label, body, status] of cases) expectRefused(await submit(playwright, request, "/account/security", caller(), body), `/account/security ${label}`, status);
  const page = await get(request, "/account/security", caller());
  expect(await page.text()).toContain("You have no passkeys yet.");
  // The password is still theirs, unchanged.
  expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);
});
