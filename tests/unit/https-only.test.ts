// HTTPS only (functions/http/https-only.ts): plain HTTP to a public host is answered with a 301 to the same address
// over HTTPS, its body drained, before anything else runs; loopback hosts keep plain HTTP for development and tests.
import { describe, expect, it } from "vitest";
import { cookieTransport, redirectToHttps } from "@functions/http/https-only";

describe("cookieTransport", () => {
  it.each([
    ["https://smallism.org/account", "https"],
    ["https://localhost:4321/", "https"],
    ["http://localhost:4321/account", "loopback-http"],
    ["http://127.0.0.1:4321/", "loopback-http"],
    ["http://[::1]:4321/", "loopback-http"],
    ["http://smallism.org/account", "insecure"],
    ["http://www.smallism.org/", "insecure"],
    ["http://localhost.evil.example/", "insecure"],
    ["http://127.0.0.2/", "insecure"],
  ])("%s is %s", (url, expected) => {
    expect(cookieTransport(new URL(url))).toBe(expected);
  });
});

describe("redirectToHttps", () => {
  it("answers plain HTTP to a public host with a 301 to the same path and query over HTTPS, uncached", async () => {
    const response = await redirectToHttps(new Request("http://smallism.org/strategy/ward?next=%2Faccount"));
    expect(response?.status).toBe(301);
    expect(response?.headers.get("Location")).toBe("https://smallism.org/strategy/ward?next=%2Faccount");
    expect(response?.headers.get("Cache-Control")).toBe("no-store");
    expect(await response?.text()).toBe("");
  });

  it("redirects a form post too, reading its body first, so the password in it is never handled over HTTP", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 3) controller.close();
        else controller.enqueue(new TextEncoder().encode("email=a%40b.org&password=secret"));
      },
    });
    const request = new Request("http://smallism.org/login", { method: "POST", body, duplex: "half" } as RequestInit);
    const response = await redirectToHttps(request);
    expect(response?.status).toBe(301);
    expect(response?.headers.get("Location")).toBe("https://smallism.org/login");
    expect(pulled).toBeGreaterThan(3);
  });

  it.each(["https://smallism.org/login", "http://localhost:4321/login", "http://127.0.0.1:4321/"])("lets %s through", async (url) => {
    expect(await redirectToHttps(new Request(url))).toBeNull();
  });
});
