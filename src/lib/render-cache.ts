// Member-only bodies rendered once per Worker isolate. A strategy page's or members-only essay's MDX body is the same
// for every member who may read it, and rendering it was the largest part of such a page's CPU (README:
// Performance), so the first render's HTML is kept in memory and reused. It holds only what a member-only page
// already decided to show (src/components/RenderOnce.astro renders only where decideAccess said "full"); it never
// reaches a response by any other path, and it is bounded by the member-only entries in the Worker.
const rendered = new Map<string, Promise<string>>();

/** The HTML `render` gives for `key`, rendered at most once per isolate (a failed render is tried again next time). */
export function renderOnce(key: string, render: () => Promise<string>): Promise<string> {
  let html = rendered.get(key);
  if (html === undefined) {
    html = render();
    rendered.set(key, html);
    html.catch(() => rendered.delete(key));
  }
  return html;
}
