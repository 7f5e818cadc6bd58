// Build checks: no broken internal links. Every same-site URL (relative "/…" or absolute on the site) in every
// HTML file under dist/client, in the RSS feed and in the sitemap resolves either to a built file (path,
// path/index.html or path.html) or to a route the Worker renders on demand (listed below, each checked against its
// source file). Query strings are ignored; #fragments must name an id on the target page when it is static.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeEntities } from "@tests/support/text";
import { essays, strategyPages } from "./content";
import { CLIENT, ROOT, SITE, htmlFiles, pageUrl, rel, requireBuild, staticFileFor } from "./dist";
import { fragmentTargets, parseTags, srcsetUrls } from "./html";

/** Routes the Worker renders on demand (not files in dist/client), with the source that serves each. */
const ON_DEMAND: ReadonlyArray<readonly [route: string, source: string]> = [
  ["/join", "src/pages/join.astro"],
  ["/login", "src/pages/login.astro"],
  ["/logout", "src/pages/logout.ts"],
  ["/verify", "src/pages/verify.astro"],
  ["/forgot", "src/pages/forgot.astro"],
  ["/reset", "src/pages/reset.astro"],
  ["/unsubscribe", "src/pages/unsubscribe.astro"],
  ["/account", "src/pages/account/index.astro"],
  ["/account/data", "src/pages/account/data.ts"],
  ["/account/billing", "src/pages/account/billing.astro"],
  ["/donate", "src/pages/donate/index.astro"],
  ["/donate/thanks", "src/pages/donate/thanks.astro"],
  ["/strategy", "src/pages/strategy/index.astro"],
  ["/wards", "src/pages/wards/index.astro"],
  ["/letters", "src/pages/letters/index.astro"],
  ["/account/letters", "src/pages/account/letters.astro"],
  ...strategyPages().map((page) => [`/strategy/${page.slug}`, "src/pages/strategy/[slug].astro"] as const),
  ...essays().membersOnly.map((essay) => [`/essays/${essay.slug}`, "src/pages/essays/[...member].astro"] as const),
  ["/.well-known/brave-rewards-verification.txt", "src/pages/.well-known/brave-rewards-verification.txt.ts"],
  ["/dev/mailbox", "src/dev/mailbox.astro"],
  ["/api/stripe/webhook", "src/pages/api/stripe/webhook.ts"],
];
const ON_DEMAND_ROUTES = new Set(ON_DEMAND.map(([route]) => route));

interface Reference { from: string; attribute: string; value: string }

/** Every URL-bearing attribute of a page: href, src, srcset, action, poster, and og:/twitter: URL metadata. */
function references(file: string, html: string): Reference[] {
  const from = rel(file);
  const out: Reference[] = [];
  for (const tag of parseTags(html)) {
    for (const attribute of ["href", "src", "action", "poster", "data"] as const) {
      const value = tag.attrs[attribute];
      if (value !== undefined && !(tag.name === "object" && attribute !== "data")) out.push({ from, attribute: `<${tag.name} ${attribute}>`, value });
    }
    for (const url of srcsetUrls(tag.attrs["srcset"] ?? "")) out.push({ from, attribute: `<${tag.name} srcset>`, value: url });
    const property = tag.attrs["property"] ?? tag.attrs["name"] ?? "";
    if (tag.name === "meta" && /^(og:(url|image|image:url|image:secure_url)|twitter:image)$/.test(property)) {
      out.push({ from, attribute: `<meta ${property}>`, value: tag.attrs["content"] ?? "" });
    }
  }
  return out;
}

/** Why a same-site reference is broken, or null when it resolves. `page` is the referring page's URL path. */
function problem(ref: Reference, page: string, ownIds: Set<string>): string | null {
  const value = ref.value.trim();
  if (/^(mailto|tel|sms|data|blob):/i.test(value)) return null;
  if (/^javascript:/i.test(value)) return "javascript: URL";
  const url = new URL(value, `${SITE}${page}`);
  if (url.origin !== SITE) return null; // another site: not ours to resolve
  const fragment = decodeURIComponent(url.hash.slice(1));
  const samePage = value.startsWith("#") || (url.pathname === new URL(page, SITE).pathname && url.search === "");
  if (samePage && fragment !== "") return fragment === "top" || ownIds.has(fragment) ? null : `#${fragment} is not an id on this page`;
  const file = staticFileFor(url.pathname);
  if (file !== null) {
    if (fragment === "" || !file.endsWith(".html")) return null;
    return fragmentTargets(readFileSync(file, "utf8")).has(fragment) ? null : `#${fragment} is not an id on ${rel(file)}`;
  }
  const route = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
  return ON_DEMAND_ROUTES.has(route) ? null : "no file in dist/client and not an on-demand route";
}

beforeAll(requireBuild);

describe("the on-demand route list", () => {
  it.each(ON_DEMAND)("%s is served by %s, which renders on demand", (route, source) => {
    const path = join(ROOT, source);
    expect(existsSync(path), source).toBe(true);
    const text = readFileSync(path, "utf8");
    // The dev mailbox is injected with `prerender: false` by astro.config.mjs; every other route opts out itself.
    if (route === "/dev/mailbox") expect(readFileSync(join(ROOT, "astro.config.mjs"), "utf8")).toMatch(/pattern: "\/dev\/mailbox".*prerender: false/);
    else expect(text, source).toMatch(/export const prerender = false/);
  });

  it.each(ON_DEMAND.filter(([route]) => route !== "/strategy").map(([route]) => [route] as const))("%s has no static file that would shadow it", (route) => {
    expect(staticFileFor(route)).toBeNull();
  });
});

describe("internal links in HTML files", () => {
  const files = htmlFiles();

  it("there are pages to check", () => expect(files.length).toBeGreaterThan(10));

  it.each(files.map((file) => [rel(file), file] as const))("%s", (_name, file) => {
    const html = readFileSync(file, "utf8");
    const refs = references(file, html);
    const ids = fragmentTargets(html);
    const broken = refs.flatMap((ref) => {
      const why = problem(ref, pageUrl(file), ids);
      return why === null ? [] : [`${ref.attribute}="${ref.value}": ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it("the checker itself refuses a missing file, an unknown route and a missing fragment", () => {
    const page = "/essays/";
    const ids = new Set(["main"]);
    const check = (value: string) => problem({ from: "test", attribute: "href", value }, page, ids);
    expect(check("/no-such-page/")).not.toBeNull();
    expect(check(`${SITE}/essays/no-such-essay/`)).not.toBeNull();
    expect(check("#no-such-id")).not.toBeNull();
    expect(check("/essays/#no-such-id")).not.toBeNull();
    expect(check("#main")).toBeNull();
    expect(check("/join?next=/strategy/")).toBeNull();
    expect(check("https://example.org/missing")).toBeNull();
  });
});

describe("internal links in the feed and the sitemap", () => {
  it("every <link>, <loc> and href/src inside the RSS content resolves", () => {
    const xml = readFileSync(join(CLIENT, "rss.xml"), "utf8");
    const urls = [
      ...[...xml.matchAll(/<link>([^<]+)<\/link>/g)].map((m) => m[1]!),
      ...[...decodeEntities(xml).matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
    ];
    expect(urls.length).toBeGreaterThan(5);
    const broken = urls.filter((value) => problem({ from: "rss.xml", attribute: "link", value }, "/rss.xml", new Set()) !== null);
    expect(broken).toEqual([]);
  });

  it.each(["sitemap-index.xml", "sitemap-0.xml"])("every <loc> in %s resolves", (name) => {
    const xml = readFileSync(join(CLIENT, name), "utf8");
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!.trim());
    expect(locs.length).toBeGreaterThan(0);
    const broken = locs.filter((value) => problem({ from: name, attribute: "loc", value }, `/${name}`, new Set()) !== null);
    expect(broken).toEqual([]);
  });
});
