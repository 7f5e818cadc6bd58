// isSameOriginRequest (src/lib/origin.ts): the cross-site request check src/middleware.ts runs on every request.
// Safe methods always pass; state-changing methods pass only with an Origin equal to ours (exact scheme, host and
// port); the signed Stripe webhook is the one exempt path.
import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "@functions/http/origin";

const SITE = "https://smallism.org";

function check(method: string, path: string, origin: string | null, site = SITE): boolean {
  const url = new URL(path, site);
  const headers = new Headers();
  if (origin !== null) headers.set("Origin", origin);
  return isSameOriginRequest(new Request(url, { method, headers }), url);
}

describe("safe methods are always allowed", () => {
  it.each([
    ["GET", null], ["GET", "https://evil.example"], ["GET", "null"],
    ["HEAD", "https://evil.example"], ["OPTIONS", "https://evil.example"], ["OPTIONS", null],
  ])("%s with Origin %j", (method, origin) => {
    expect(check(method, "/login", origin)).toBe(true);
  });
});

describe("state-changing methods need our exact origin", () => {
  const methods = ["POST", "PUT", "PATCH", "DELETE"];
  it.each(methods.map((method) => [method] as const))("%s with our origin is allowed", (method) => {
    expect(check(method, "/login", SITE)).toBe(true);
  });

  it.each([
    ["cross-site", "https://evil.example"],
    ["missing", null],
    ["\"null\" (sandboxed frame, privacy redirect)", "null"],
    ["empty", ""],
    ["other scheme", "http://smallism.org"],
    ["other port", "https://smallism.org:8443"],
    ["subdomain", "https://www.smallism.org"],
    ["suffix domain", "https://smallism.org.evil.example"],
    ["prefix domain", "https://evilsmallism.org"],
    ["with a path", "https://smallism.org/"],
    ["upper case (browsers send lower case)", "HTTPS://SMALLISM.ORG"],
    ["two origins", "https://smallism.org https://evil.example"],
  ])("POST with %s Origin is refused", (_label, origin) => {
    expect(check("POST", "/login", origin)).toBe(false);
  });

  it.each(methods.map((method) => [method] as const))("%s from another site is refused", (method) => {
    expect(check(method, "/account", "https://evil.example")).toBe(false);
  });

  it("the origin compared is the request URL's, port included (local preview)", () => {
    expect(check("POST", "/login", "http://localhost:4321", "http://localhost:4321")).toBe(true);
    expect(check("POST", "/login", "http://localhost:4322", "http://localhost:4321")).toBe(false);
    expect(check("POST", "/login", "http://127.0.0.1:4321", "http://localhost:4321")).toBe(false);
  });
});

describe("exempt paths", () => {
  it.each([
    ["/api/stripe/webhook", null],
    ["/api/stripe/webhook", "https://evil.example"],
    ["/api/stripe/webhook/", "null"],
    ["/api/letters/events", null],
    ["/unsubscribe", null],
    ["/unsubscribe", "https://mail.example"],
  ])("POST %s with Origin %j is allowed (Stripe and SNS sign theirs; an unsubscribe carries its HMAC token)", (path, origin) => {
    expect(check("POST", path, origin)).toBe(true);
  });

  it.each([
    ["/api/stripe/webhook/extra"],
    ["/api/stripe/webhooks"],
    ["/api/stripe"],
    ["/api/stripe/webhook//"],
    ["/unsubscribe/extra"],
    ["/api/letters"],
    ["/API/STRIPE/WEBHOOK"],
    ["/login?x=/api/stripe/webhook"],
    ["/logout"],
    ["/donate"],
  ])("POST %s from another site is refused", (path) => {
    expect(check("POST", path, "https://evil.example")).toBe(false);
  });
});
