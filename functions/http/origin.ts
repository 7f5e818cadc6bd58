// The cross-site request check for every state-changing request the Worker handles. Astro's built-in
// checkOrigin covers form posts only; this covers JSON and every other body too.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/**
 * Paths that accept posts from other sites because they authenticate otherwise: Stripe and SNS sign their webhooks,
 * and /unsubscribe carries an HMAC token whose only power is to unsubscribe its own member from its own topic (RFC
 * 8058's one-click POST comes from the mail provider's servers, with no Origin).
 */
const EXEMPT_PATHS = new Set(["/api/stripe/webhook", "/api/letters/events", "/unsubscribe"]);

/** True when a request may proceed: safe methods, exempt paths, or an Origin header equal to our own origin. */
export function isSameOriginRequest(request: Request, url: URL): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  if (EXEMPT_PATHS.has(url.pathname.replace(/\/$/, ""))) return true;
  const origin = request.headers.get("Origin");
  // A missing or "null" Origin (sandboxed frames, privacy redirects) is refused: browsers send Origin on every POST.
  return origin !== null && origin !== "null" && origin === url.origin;
}
