// Headers under `astro dev` only. src/middleware.ts loads this module behind import.meta.env.DEV, so no build
// contains it (tests/build/headers.test.ts checks the Worker). Two differences from production, both because the
// dev server is not Cloudflare:
// - prerendered pages get the headers public/_headers gives them in production (Cloudflare applies that file to
//   static files; the dev server renders them instead), so a page that breaks the policy breaks in dev too;
// - every policy allows inline styles: Vite puts each page's CSS in inline <style> elements and replaces them on
//   every edit, which no hash or nonce can follow. Scripts stay 'self' (Vite's client is /@vite/client).
import { applySecurityHeaders, needsWasm } from "@functions/http/security-headers";

/** Set on prerendered pages in dev: the dev search index (src/integrations/dev-search-index.ts) indexes only
 *  these, as the build indexes only the files in dist/client. */
export const PRERENDERED_HEADER = "X-Dev-Prerendered";

/** `policy` plus 'unsafe-inline' in style-src: what the dev server sends instead of `policy`. */
export function devServerPolicy(policy: string): string {
  return policy.replace(/(^|;\s*)style-src ([^;]*)/, "$1style-src $2 'unsafe-inline'");
}

/** Adjusts a dev response's headers as described above. */
export function applyDevServerHeaders(headers: Headers, pathname: string, prerendered: boolean): void {
  if (prerendered) {
    applySecurityHeaders(headers, [], { wasm: needsWasm(pathname) });
    headers.set(PRERENDERED_HEADER, "1");
  }
  const policy = headers.get("Content-Security-Policy");
  if (policy !== null) headers.set("Content-Security-Policy", devServerPolicy(policy));
}
