// Security headers for responses the Worker renders. public/_headers holds the same values for static
// assets (Cloudflare applies _headers to assets only); tests/unit/headers.test.ts keeps them equal.

/** Paths whose pages and files compile WebAssembly: Pagefind's search engine runs on the search page and in
 *  its own web worker (a worker's policy comes from its script's response). public/_headers has one rule each. */
export const WASM_PATHS: readonly string[] = ["/search/", "/pagefind/"];

/** Builds the Content-Security-Policy; `formActions` adds origins a form may post or redirect to (Stripe),
 *  `wasm` allows compiling WebAssembly (WASM_PATHS only). */
export function contentSecurityPolicy(formActions: string[] = [], { wasm = false }: { wasm?: boolean } = {}): string {
  return [
    "default-src 'self'",
    wasm ? "script-src 'self' 'wasm-unsafe-eval'" : "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    ["form-action 'self'", ...formActions].join(" "),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** True for a path under one of WASM_PATHS (with or without its trailing slash). */
export function needsWasm(pathname: string): boolean {
  return WASM_PATHS.some((prefix) => pathname.startsWith(prefix) || pathname === prefix.slice(0, -1));
}

/** Headers every page gets, static or rendered. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Sets the security headers on a rendered response (leaving any CSP a page set itself). */
export function applySecurityHeaders(headers: Headers, formActions: string[], options: { wasm?: boolean } = {}): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) headers.set(name, value);
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", contentSecurityPolicy(formActions, options));
}
