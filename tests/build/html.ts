// A regex-level HTML reader for the build checks (tests/build/links.test.ts, metadata.test.ts, budget.test.ts): the
// opening tags of a page with their attributes, the #fragment targets, srcset URLs, and whether a URL is same-site.
// Enough for the markup Astro writes; not a general HTML parser.
import { decodeEntities } from "@tests/support/text";
import { SITE } from "./dist";

/** One opening tag. */
export interface Tag {
  name: string;
  attrs: Record<string, string>;
  /** The raw text between this opening tag and its closing tag, for <script> and <style> only. */
  content?: string;
}

/** Opening tags of an HTML document with their attributes (names lower-cased, values entity-decoded).
 *  Comments and the insides of <script>/<style> are skipped; their text is given as `content`. */
export function parseTags(html: string): Tag[] {
  const out: Tag[] = [];
  const tagPattern = /<!--[\s\S]*?-->|<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(html)) !== null) {
    if (match[1] === undefined) continue;
    const name = match[1].toLowerCase();
    const attrs: Record<string, string> = {};
    const attrPattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
    let attr: RegExpExecArray | null;
    while ((attr = attrPattern.exec(match[2] ?? "")) !== null) {
      attrs[attr[1]!.toLowerCase()] = decodeEntities(attr[2] ?? attr[3] ?? attr[4] ?? "");
    }
    const tag: Tag = { name, attrs };
    if (name === "script" || name === "style") {
      const close = html.toLowerCase().indexOf(`</${name}`, tagPattern.lastIndex);
      const end = close === -1 ? html.length : close;
      tag.content = html.slice(tagPattern.lastIndex, end);
      tagPattern.lastIndex = end;
    }
    out.push(tag);
  }
  return out;
}

/** The values of every id="" and name="" (for <a name>) in a document: the targets of #fragments. */
export function fragmentTargets(html: string): Set<string> {
  const ids = new Set<string>();
  for (const tag of parseTags(html)) {
    if (tag.attrs["id"] !== undefined) ids.add(tag.attrs["id"]);
    if (tag.name === "a" && tag.attrs["name"] !== undefined) ids.add(tag.attrs["name"]);
  }
  return ids;
}

/** The URLs in a srcset attribute. */
export function srcsetUrls(srcset: string): string[] {
  return srcset.split(",").map((candidate) => candidate.trim().split(/\s+/)[0] ?? "").filter(Boolean);
}

/** "same" for a same-site URL (relative, or absolute on SITE), "external" for another host, "other" for mailto: etc. */
export function classifyUrl(raw: string): "same" | "external" | "other" {
  const value = raw.trim();
  if (value === "" || value.startsWith("#")) return "same";
  if (/^(mailto|tel|sms|data|javascript|blob):/i.test(value)) return "other";
  const url = new URL(value, `${SITE}/`);
  return url.origin === SITE ? "same" : "external";
}
