// robots.txt, built from the configured site URL so the sitemap address is always right.
import type { APIContext } from "astro";

export function GET({ site }: APIContext): Response {
  const body = [
    "User-agent: *",
    "Allow: /",
    "Disallow: /account",
    "Disallow: /api/",
    "Disallow: /dev/",
    "",
    `Sitemap: ${new URL("/sitemap-index.xml", site).href}`,
    "",
  ].join("\n");
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
