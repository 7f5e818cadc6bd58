// Shared checks of the dev-server tests: a page is styled as production styles it (every stylesheet loaded, body and
// header no longer the browser's defaults), the browser reported no Content-Security-Policy violation, and Vite's
// HMR client ran and connected. Plus the search terms the dev search tests use, chosen from content/.
import { expect, type Page } from "@playwright/test";
import { essays, strategyPages, title, type ContentFile } from "@tests/build/content";
import { mdxSentences } from "@tests/support/mdx";
import { wordKey } from "@tests/support/text";

/** What a page reported while it loaded: CSP violations (console and securitypolicyviolation events) and all console text. */
export interface PageWatch { violations: string[]; console: string[] }

/** Starts recording on `page`; call before the first navigation. */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { violations: [], console: [] };
  page.on("console", (message) => {
    watch.console.push(message.text());
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) watch.violations.push(message.text());
  });
  page.on("pageerror", (error) => watch.console.push(`pageerror: ${error.message}`));
  await page.exposeFunction("reportCspViolation", (text: string) => watch.violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      void (window as unknown as { reportCspViolation: (text: string) => Promise<void> }).reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.documentURI}`);
    });
  });
  return watch;
}

/** Properties the site's stylesheet sets on body and the site header; the browser's defaults differ for each. */
const PROPERTIES = ["background-color", "color", "font-family", "font-size", "line-height", "margin-top", "padding-top", "border-bottom-width", "display"];
type Looks = { body: string[]; header: string[]; sheets: number; missingSheets: string[] };

async function looks(page: Page): Promise<Looks> {
  return page.evaluate((properties) => {
    const read = (element: Element) => properties.map((property) => getComputedStyle(element).getPropertyValue(property));
    const styleElements = [...document.querySelectorAll<HTMLStyleElement | HTMLLinkElement>('style, link[rel="stylesheet"]')];
    return {
      body: read(document.body),
      header: read(document.querySelector("body > header") ?? document.body),
      sheets: styleElements.length,
      // A stylesheet the CSP blocked (or that failed to load) has no CSSStyleSheet.
      missingSheets: styleElements.filter((element) => element.sheet === null).map((element) => element.outerHTML.slice(0, 120)),
    };
  }, PROPERTIES);
}

let browserDefaults: Promise<Looks> | undefined;

/** Body and header as the browser draws them with no stylesheet at all, read once per worker. */
function defaultLooks(page: Page): Promise<Looks> {
  browserDefaults ??= (async () => {
    const blank = await page.context().newPage();
    await blank.setContent("<!doctype html><html lang=en><head><meta charset=utf-8><title>x</title></head><body><header><a href=/>x</a></header><main><p>x</p></main></body></html>");
    const found = await looks(blank);
    await blank.close();
    return found;
  })();
  return browserDefaults;
}

/** The page is styled: it has stylesheets, every one applied, and body and header each differ from the browser's
 *  defaults in at least three properties (with the CSS blocked, in none). */
export async function expectStyled(page: Page, label: string): Promise<void> {
  const [found, defaults] = await Promise.all([looks(page), defaultLooks(page)]);
  expect(found.sheets, `${label}: stylesheets`).toBeGreaterThan(0);
  expect(found.missingSheets, `${label}: stylesheets that did not apply`).toEqual([]);
  for (const part of ["body", "header"] as const) {
    const changed = PROPERTIES.filter((_, i) => found[part][i] !== defaults[part][i]);
    expect(changed.length, `${label}: ${part} differs from the browser's defaults only in [${changed.join(", ")}]`).toBeGreaterThanOrEqual(3);
  }
}

/** No CSP violation, and Vite's HMR client (/@vite/client, script-src) ran and opened its socket (connect-src). */
export async function expectDevPageHealthy(watch: PageWatch, label: string): Promise<void> {
  await expect.poll(() => watch.console.some((text) => text.includes("[vite] connected")), { message: `${label}: Vite's HMR client connected` }).toBe(true);
  expect(watch.violations, `${label}: CSP violations`).toEqual([]);
}

// ---- Search terms ------------------------------------------------------------------------------------------------

const ESSAYS = essays();
/** Essays `astro dev` indexes: every essay anyone may read in full, drafts included (dev shows drafts). */
export const DEV_PUBLIC_ESSAYS = ESSAYS.all.filter((essay) => essay.data["membersOnly"] !== true);
/** Pages whose body only members may read. */
export const MEMBER_PAGES: Array<{ path: string; file: ContentFile }> = [
  ...strategyPages().map((file) => ({ path: `/strategy/${file.slug}/`, file })),
  ...ESSAYS.membersOnly.map((file) => ({ path: `/essays/${file.slug}/`, file })),
];

const wordsOf = (file: ContentFile) => new Set(wordKey(`${title(file)} ${String(file.data["description"] ?? "")} ${file.body}`).split(" "));
const publicWords = [...new Set(DEV_PUBLIC_ESSAYS.flatMap((essay) => [...wordsOf(essay)]))];

/** A word of six or more letters no public essay has, nor any word sharing its first five letters (search stems). */
function foreignToPublicEssays(word: string): boolean {
  return /^\p{L}{6,}$/u.test(word) && !publicWords.some((other) => other.startsWith(word.slice(0, 5)));
}

/** A body sentence of a member page with a word no public essay has: a search for it can only find the member
 *  page itself, so any result at all means member text reached the index. */
export function memberOnlySentence(file: ContentFile): string {
  const sentence = mdxSentences(file.body).find((candidate) => wordKey(candidate).split(" ").some(foreignToPublicEssays));
  if (sentence === undefined) throw new Error(`${file.slug}: no body sentence with a word that no public essay has`);
  return sentence;
}

/** The positive control: a body sentence of a public essay with a word no other essay or strategy page has. */
export function publicSentence(): { sentence: string; title: string } {
  const others = (essay: ContentFile) => [...ESSAYS.all, ...strategyPages()].filter((file) => file.file !== essay.file).map(wordsOf);
  for (const essay of ESSAYS.public) {
    const elsewhere = others(essay);
    const sentence = mdxSentences(essay.body).find((candidate) => wordKey(candidate).split(" ").some((word) => word.length >= 6 && elsewhere.every((words) => !words.has(word))));
    if (sentence !== undefined) return { sentence, title: title(essay) };
  }
  throw new Error("no public essay has a sentence with a word of its own");
}
