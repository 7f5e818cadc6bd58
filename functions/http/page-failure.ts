// What a page rendered on demand answers when it throws (a bug, or D1 failing mid-page): an empty 500 with the
// site's security headers and `private, no-store`, which Astro then fills with src/pages/500.astro (keeping these
// headers), and one log line. The line never carries the error's message or the query string: a message can quote
// member data (an address, a note, a Stripe reply) and a query can hold a reset token.
import { applySecurityHeaders } from "@functions/http/security-headers";
import { logger } from "@functions/log";

/** How many stack frames the log line keeps: enough to find the fault, with source maps in Workers Logs. */
const FRAMES = 4;

/** The error's frames ("at fn (file:line:col)"), without the "Name: message" line the stack starts with. */
function stackFrames(error: Error): string {
  const stack = error.stack ?? "";
  const head = String(error);
  if (!stack.startsWith(head)) return "";
  return stack.slice(head.length).split("\n").map((line) => line.trim()).filter((line) => line.startsWith("at ")).slice(0, FRAMES).join(" | ");
}

/** Logs `page.failed` for `request`: method, path (no query), the error's kind and where it was thrown. */
export function logPageFailure(request: Request, error: unknown): void {
  logger("site").error("page.failed", {
    method: request.method,
    path: new URL(request.url).pathname,
    error: error instanceof Error ? error.name : typeof error,
    at: error instanceof Error ? stackFrames(error) : "",
  });
}

/** The empty 500 Astro answers with the 500 page (an empty 404 or 500 is its cue), private and with every header. */
export function failedPageResponse(): Response {
  const response = new Response(null, { status: 500 });
  applySecurityHeaders(response.headers, []);
  response.headers.set("Cache-Control", "private, no-store");
  response.headers.set("Vary", "Cookie");
  return response;
}
