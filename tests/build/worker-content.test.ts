// The Worker carries member-only content, never public essays (src/integrations/worker-content.ts). This check
// builds a copy of the app (bench/site.mjs: same source and configuration, its own caches, in a temporary folder)
// with the shipped content plus 200 generated public essays of ~720 words, and compares its Worker with the one
// `npm run build` made in dist/: it may grow by less than 1 KB per extra essay, and holds none of their titles,
// descriptions or text; the member-only text the copy's content carries is there (the positive control: the search
// would find public text the same way). The copy leaves out the social-card route, which would draw 200 more cards
// (~30 s) and is prerendered, never in the Worker; the images cache is seeded from the project's, so no picture is
// encoded again. About 25 s alone on 2 cores.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSiteCopy, run, workerFiles } from "../../bench/site.mjs";
import { body, random } from "../../bench/generate-content.mjs";
import { ROOT, SERVER, rel, requireBuild } from "./dist";

const EXTRA_ESSAYS = 200;
const MAX_GROWTH_PER_ESSAY = 1024;
/** Words unique to each generated essay's title, description and text, and to the member-only text the copy adds:
 *  plain letters and digits, which a bundle keeps as they are (no escaping). */
const publicMarks = (n: number) => ({ title: `Zqtitle${n}`, description: `zqsummary${n}`, text: `zqbody${n}` });
const MEMBER_ESSAY_MARK = "zqmemberessaytext";
const STRATEGY_MARK = "zqstrategytext";

const temp = mkdtempSync(join(tmpdir(), "smallism-worker-content-"));
const site = join(temp, "site");
const content = join(temp, "content");
/** Inside the copy: the prerendering step imports packages from the output folder, found through its node_modules. */
const out = join(site, "dist");

/** One generated public essay: its own tag (so no members-only essay lists it as related), marks in every field. */
function generatedEssay(rand: () => number, n: number): string {
  const marks = publicMarks(n);
  const day = new Date(Date.UTC(2021, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  return [
    "---",
    `title: "${marks.title}: a generated public essay"`,
    `description: "A generated public essay, ${marks.description}, which must stay out of the Worker."`,
    `pubDate: ${day}`,
    `tags: ["generated"]`,
    "---",
    "",
    `Its opening paragraph names ${marks.text} once.`,
    "",
    body(rand, 700),
    "",
  ].join("\n");
}

/** Appends a paragraph holding `mark` to a content file. */
function appendParagraph(file: string, mark: string): void {
  writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n\nThis paragraph carries ${mark} for the build check.\n`);
}

/** Total bytes and the concatenated text of a Worker's code files. The bundle holds some absolute paths (Astro's
 *  manifest names source files); the copy's are written as the project's, so its longer paths do not count. */
function worker(dir: string, paths: Array<[string, string]> = []): { bytes: number; text: string; files: number } {
  const files = workerFiles(dir);
  const texts = files.map((file) => paths.reduce((text, [from, to]) => text.replaceAll(from, to), readFileSync(file, "utf8")));
  return { bytes: texts.reduce((total, text) => total + Buffer.byteLength(text), 0), text: texts.join("\n"), files: files.length };
}

let built: { bytes: number; text: string; files: number };
let baseline: { bytes: number; text: string; files: number };

beforeAll(async () => {
  requireBuild();
  baseline = worker(SERVER);
  prepareSiteCopy(site);
  rmSync(join(site, "src", "pages", "og"), { recursive: true });
  const images = join(ROOT, "node_modules", ".astro", "assets");
  if (existsSync(images)) cpSync(images, join(site, ".cache", "assets"), { recursive: true });

  cpSync(join(ROOT, "content"), content, { recursive: true });
  const memberEssay = firstMembersOnlyEssay(join(content, "essays"));
  appendParagraph(memberEssay, MEMBER_ESSAY_MARK);
  appendParagraph(join(content, "strategy", "how-members-vote.mdx"), STRATEGY_MARK);
  const rand = random(16);
  for (let n = 1; n <= EXTRA_ESSAYS; n++) writeFileSync(join(content, "essays", `generated-public-${n}.mdx`), generatedEssay(rand, n));

  const started = performance.now();
  const result = await run("npx", ["astro", "build"], {
    cwd: site,
    env: { SMALLISM_CONTENT_DIR: content, SMALLISM_OUT_DIR: out, DEV_MAILBOX: "1" },
    timeoutMs: 400_000,
  });
  if (result.code !== 0) throw new Error(`astro build of the copy failed:\n${result.output}`);
  console.info(`[worker-content] built the copy with ${EXTRA_ESSAYS} extra essays in ${(result.ms / 1000).toFixed(1)} s (test set-up ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  built = worker(join(out, "server"), [[`${content}/`, `${ROOT}/content/`], [`${site}/`, `${ROOT}/`]]);
}, 420_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The first published members-only essay of a folder (the shipped content has one). */
function firstMembersOnlyEssay(folder: string): string {
  const isMembersOnly = (text: string) => /^membersOnly:\s*true\s*$/m.test(text) && !/^draft:\s*true\s*$/m.test(text);
  const file = readdirSync(folder).filter((name) => name.endsWith(".mdx")).sort().map((name) => join(folder, name))
    .find((path) => isMembersOnly(readFileSync(path, "utf8")));
  if (file === undefined) throw new Error(`no members-only essay in ${rel(folder, ROOT)}`);
  return file;
}

describe(`the Worker with ${EXTRA_ESSAYS} more public essays`, () => {
  it("was built with them: each is a prerendered page", () => {
    const missing = Array.from({ length: EXTRA_ESSAYS }, (_, i) => i + 1).filter((n) => !existsSync(join(out, "client", "essays", `generated-public-${n}`, "index.html")));
    expect(missing).toEqual([]);
  });

  it(`grows by less than ${MAX_GROWTH_PER_ESSAY} bytes per essay`, () => {
    const perEssay = (built.bytes - baseline.bytes) / EXTRA_ESSAYS;
    console.info(`[worker-content] Worker code ${baseline.bytes} bytes in ${baseline.files} files → ${built.bytes} in ${built.files} with ${EXTRA_ESSAYS} more essays: ${perEssay.toFixed(1)} bytes per essay`);
    expect(perEssay).toBeLessThan(MAX_GROWTH_PER_ESSAY);
  });

  it("holds none of their titles, descriptions or text", () => {
    const found: string[] = [];
    for (let n = 1; n <= EXTRA_ESSAYS; n++) {
      for (const [field, mark] of Object.entries(publicMarks(n))) if (built.text.includes(mark)) found.push(`essay ${n}: ${field}`);
    }
    expect(found).toEqual([]);
    expect(built.text).not.toMatch(/zq(title|summary|body)\d/i);
  });

  it("holds the member-only text (positive control): a members-only essay's and a strategy page's", () => {
    expect(built.text).toContain(MEMBER_ESSAY_MARK);
    expect(built.text).toContain(STRATEGY_MARK);
  });
});
