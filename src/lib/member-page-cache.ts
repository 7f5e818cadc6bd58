// Member-only pages kept per Worker isolate. A strategy page or a members-only essay, as a member who may read it sees
// it, is the same HTML for every such member: the layout knows only that someone is signed in, and nothing on the
// page names them (tests/e2e/member-page-cache.spec.ts shows two members the same bytes, with neither's name or
// address in them). Rendering it was most of such a page's own CPU (README: Performance), so the first render is kept
// in memory and later requests get it without rendering the MDX body or the layout.
//
// How it stays sealed: the page itself decides access (decideAccess) on every request and only then, for "full",
// answers with a kept copy or asks for its render to be kept (keptMemberPage); the middleware keeps
// the HTML of that 200 answer (storeMemberPage). A copy never leaves by any other path, the key names the entry and
// its version (collection, id, digest), only the page's own path is kept or answered (keyFor), and so the copies are
// bounded by the member-only entries in the Worker. The response headers (cookies, security, caching) are the
// middleware's, on each answer, not part of the copy. `astro dev` keeps nothing, so an edit to the layout or a
// component shows at once.
const kept = new Map<string, string>();

/** The parts of Astro's page context used here. */
interface PageContext { url: URL; locals: Pick<App.Locals, "keepMemberPage"> }

/**
 * The copy's key for this request, or null: only a request for the page's own path (`path`, e.g.
 * "/strategy/<id>/") is answered from or kept as the copy. Every other spelling of it (no trailing slash, a
 * percent-encoded letter) is rendered as asked, so the copies stay one per entry, however many spellings a reader
 * tries, and the canonical link in a copy is always the page's own.
 */
function keyFor(page: PageContext, entry: string, path: string): string | null {
  return page.url.pathname === path ? entry : null;
}

/**
 * The kept copy of this member page (`entry` at `path`) as a response; or null, and then this request's render is
 * kept by the middleware (call only where decideAccess said "full").
 */
export function keptMemberPage(page: PageContext, entry: string, path: string): Response | null {
  const key = keyFor(page, entry, path);
  if (key === null) return null;
  const html = import.meta.env.DEV ? undefined : kept.get(key);
  if (html !== undefined) return new Response(html, { headers: { "Content-Type": "text/html" } });
  page.locals.keepMemberPage = key;
  return null;
}

/** Keeps the HTML of a 200 answer the page asked to keep, and gives the answer back with the same body. */
export async function storeMemberPage(locals: Pick<App.Locals, "keepMemberPage">, response: Response): Promise<Response> {
  const key = locals.keepMemberPage;
  if (key === undefined || response.status !== 200 || import.meta.env.DEV) return response;
  const html = await response.text();
  kept.set(key, html);
  return new Response(html, response);
}
