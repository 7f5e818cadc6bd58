// The dev search index's two rules (src/integrations/dev-search-index.ts): which links the crawler follows, and which
// responses it may index (prerendered HTML pages that answered 200, as the build indexes only dist/client).
import { describe, expect, it } from "vitest";
import { isIndexable, pageLinks } from "@src/integrations/dev-search-index";
import { PRERENDERED_HEADER } from "@src/dev/dev-server-headers";

describe("pageLinks", () => {
  const page = new URL("http://localhost:4321/essays/");
  it("keeps same-origin page paths, without query or fragment, once each", () => {
    const html = `<a href="/essays/a/">A</a> <a class="x" href="b/">B</a> <a href="/essays/a/#top">A again</a>
      <a href="/search/?q=x">search</a> <a href="/tags/wards/index.html">tag</a> <a href="/essays/a/?utm=1&amp;x=2">A</a>`;
    expect(pageLinks(html, page)).toEqual(["/essays/a/", "/essays/b/", "/search/", "/tags/wards/index.html"]);
  });

  it.each([
    ['<a href="https://example.org/essays/">other site</a>'], ['<a href="/rss.xml">feed</a>'], ['<a href="/social-card.png">file</a>'],
    ['<a href="/dev/mailbox">dev</a>'], ['<a href="/_astro/x.css">asset</a>'], ['<a href="/pagefind/pagefind.js">index</a>'],
    ['<a href="mailto:hello@smallism.org">mail</a>'], ['<link rel="alternate" href="/essays/feed/">'], ['<a href="http://[bad">broken</a>'],
  ])("drops %s", (html) => {
    expect(pageLinks(html, page)).toEqual([]);
  });
});

describe("isIndexable", () => {
  const response = (status: number, headers: Record<string, string>) => new Response(status === 204 ? null : "x", { status, headers });
  it.each([
    [200, { "Content-Type": "text/html", [PRERENDERED_HEADER]: "1" }, true],
    [200, { "Content-Type": "text/html; charset=utf-8", [PRERENDERED_HEADER]: "1" }, true],
    [200, { "Content-Type": "text/html" }, false], // rendered on demand (strategy pages, members-only essays)
    [200, { "Content-Type": "text/html", "Cache-Control": "private, no-store" }, false],
    [404, { "Content-Type": "text/html", [PRERENDERED_HEADER]: "1" }, false],
    [200, { "Content-Type": "application/xml", [PRERENDERED_HEADER]: "1" }, false],
  ])("status %s with %j → %s", (status, headers, expected) => {
    expect(isIndexable(response(status, headers))).toBe(expected);
  });
});
