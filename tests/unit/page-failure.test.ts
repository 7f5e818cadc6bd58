// A page that throws (functions/http/page-failure.ts): one `page.failed` line with the method, path, error kind and
// where it was thrown, never the error's message or the query string; and the empty, private 500 that Astro fills
// with the 500 page, carrying every security header.
import { afterEach, describe, expect, it, vi } from "vitest";
import { failedPageResponse, logPageFailure } from "@functions/http/page-failure";
import { BASE_SECURITY_HEADERS, contentSecurityPolicy } from "@functions/http/security-headers";

afterEach(() => vi.restoreAllMocks());

/** The lines console.error receives while `work` runs. */
function errorLines(work: () => void): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
  work();
  return lines;
}

function throwingWithMemberData(): Error {
  try {
    throw new TypeError("no donation for victim@example.org (note: my private note), token tok3n-secret-value");
  } catch (error) {
    return error as Error;
  }
}

describe("logPageFailure", () => {
  it("logs the method, the path without its query, the error's kind and its first frames: nothing from the message", () => {
    const request = new Request("https://smallism.org/reset?token=tok3n-secret-value&email=victim%40example.org", { method: "POST" });
    const lines = errorLines(() => logPageFailure(request, throwingWithMemberData()));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "error", type: "site", event: "page.failed", method: "POST", path: "/reset", error: "TypeError" });
    expect(line.at).toMatch(/^at throwingWithMemberData .*page-failure\.test\.ts:\d+:\d+\)/);
    expect(line.at.split(" | ").length).toBeLessThanOrEqual(4);
    for (const secret of ["victim", "example.org", "private note", "tok3n", "token="]) expect(lines[0], secret).not.toContain(secret);
  });

  it("a message shaped like a stack frame is still the message, and is left out", () => {
    const error = new Error("failed\n    at victim@example.org");
    const [line] = errorLines(() => logPageFailure(new Request("https://smallism.org/join"), error));
    expect(line).not.toContain("victim");
    expect(JSON.parse(line!).at).toMatch(/^at /);
  });

  it("something thrown that is not an Error is named by its type", () => {
    const [line] = errorLines(() => logPageFailure(new Request("https://smallism.org/account"), "victim@example.org"));
    expect(JSON.parse(line!)).toMatchObject({ path: "/account", error: "string", at: "" });
  });
});

describe("failedPageResponse", () => {
  it("is an empty 500 (Astro's cue for the 500 page) with every security header, private and varying on Cookie", async () => {
    const response = failedPageResponse();
    expect(response.status).toBe(500);
    expect(response.body).toBeNull();
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) expect(response.headers.get(name), name).toBe(value);
    expect(response.headers.get("Content-Security-Policy")).toBe(contentSecurityPolicy());
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(response.headers.get("Vary")).toBe("Cookie");
  });
});
