// The build step that puts a prerendered page's stylesheet and scripts into the page (src/integrations/inline-first-paint.ts):
// what it inlines, what it refuses to inline, and the hashes it adds to every policy in _headers.
import { describe, expect, it } from "vitest";
import { allowHashes, cspHash, inlineRenderBlocking } from "@src/integrations/inline-first-paint";

const FILES: Record<string, string> = {
  "/_astro/global.css": "body{color:red}\n",
  "/_astro/hint.js": "document.documentElement.classList.add('x');",
  "/_astro/menu.js": "const m=document.querySelector('.nav');",
  "/_astro/chunked.js": 'import{a}from"./shared.js";a();',
  "/_astro/dynamic.js": 'import("/pagefind/pagefind.js");',
  "/_astro/breaks.js": "document.write('</script>')",
};
const read = (path: string) => FILES[path]!;

describe("inlineRenderBlocking", () => {
  it("inlines the stylesheet, the classic script and the module scripts, and lists each text", () => {
    const page = '<head><link rel="stylesheet" href="/_astro/global.css"><script src="/_astro/hint.js"></script><script type="module" src="/_astro/menu.js"></script><script type="module" src="/_astro/dynamic.js"></script></head>';
    const result = inlineRenderBlocking(page, read);
    expect(result.html).toBe('<head><style>body{color:red}</style><script>document.documentElement.classList.add(\'x\');</script><script type="module">const m=document.querySelector(\'.nav\');</script><script type="module">import("/pagefind/pagefind.js");</script></head>');
    expect(result.styles).toEqual(["body{color:red}"]);
    expect(result.scripts).toEqual([FILES["/_astro/hint.js"], FILES["/_astro/menu.js"], FILES["/_astro/dynamic.js"]]);
  });

  it("refuses a module that imports a file by a relative path, and a text that would close its own tag", () => {
    expect(() => inlineRenderBlocking('<script type="module" src="/_astro/chunked.js"></script>', read)).toThrow("relative path");
    expect(() => inlineRenderBlocking('<script type="module" src="/_astro/breaks.js"></script>', read)).toThrow("</script");
  });

  it("leaves anything else alone: other folders, other types, inline scripts", () => {
    const page = '<script type="module" src="/pagefind/x.js"></script><script type="application/ld+json">{}</script><link rel="icon" href="/_astro/a.css">';
    expect(inlineRenderBlocking(page, read)).toEqual({ html: page, styles: [], scripts: [] });
  });
});

describe("allowHashes", () => {
  it("adds the hashes to style-src and script-src of every policy in _headers", () => {
    const headers = "/*\n  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'\n/search/*\n  Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; style-src 'self'\n";
    const out = allowHashes(headers, { styles: [cspHash("a")], scripts: [cspHash("b")] });
    expect(out.match(/script-src 'self'( 'wasm-unsafe-eval')? 'sha256-[^']+'/g)).toHaveLength(2);
    expect(out.match(/style-src 'self' 'sha256-[^']+'/g)).toHaveLength(2);
    expect(out).toContain(cspHash("b"));
  });
});
