// Generates N plausible essays (MDX, ~800 words each, a few tags) into bench/.tmp/content-<n>/essays and copies
// the shipped strategy pages next to them, so the build can be timed at 100 and 1,000 essays.
// Deterministic (seeded), so two runs build the same site. Bodies contain no `{`, `}` or `<` (MDX would read
// them as code). Usage: node bench/generate-content.mjs <n> [outDir]. Never commit the output.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** A small seeded PRNG (mulberry32): the same n gives the same essays. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [
  "wards", "ownership", "incentives", "economics", "dividends", "utilities", "localism", "organising", "history",
  "housing", "transport", "water", "energy", "care", "governance", "finance", "staff", "voting", "repairs", "broadband",
];
const SUBJECTS = [
  "a ward society", "the board", "every member", "the local team", "the water company", "a housing co-operative", "the council",
  "a customer-owner", "a bus service", "the repairs team", "the treasurer", "a neighbouring ward", "a new member",
  "the annual meeting", "a community energy scheme", "the care service", "a tenant", "a small business",
];
const VERBS = [
  "can decide", "should publish", "tends to notice", "rarely controls", "must balance", "is able to fund", "will question",
  "often overlooks", "learns to trust", "has to report", "can replace", "agrees to share", "needs to explain",
];
const OBJECTS = [
  "the price of the service", "the quality of repairs", "the pay of local staff", "a modest dividend", "the annual accounts",
  "the long-term maintenance plan", "a fair complaints process", "the cost of borrowing", "a reserve fund",
  "the terms of the contract", "the order of priorities", "a simple budget", "the rules for voting", "the next investment",
];
const TAILS = [
  "because the people who pay are also the people who own", "when the accounts are short enough to read",
  "if the meeting is held somewhere members can walk to", "as long as the numbers are published every quarter",
  "even when a larger operator offers a lower headline price", "without waiting for a national decision",
  "so that nobody has to guess who is responsible", "in the same way a good neighbour would",
  "once the first year of records is in", "while keeping enough in reserve for a bad winter",
];
const HEADINGS = [
  "Why size matters", "What members actually decide", "Paying for it", "The first year", "When things go wrong",
  "Working with neighbouring wards", "Keeping the accounts readable", "Staff and pay", "A worked example",
  "Objections and answers", "What we would do differently", "Where to start",
];
const TITLE_WORDS = [
  "Local", "Owned", "Small", "Shared", "Fair", "Steady", "Practical", "Common", "Careful", "Open",
];
const TITLE_NOUNS = [
  "water", "repairs", "buses", "broadband", "care", "energy", "housing", "budgets", "dividends", "meetings", "staff", "wards",
];

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

function sentence(rand) {
  const text = `${pick(rand, SUBJECTS)} ${pick(rand, VERBS)} ${pick(rand, OBJECTS)} ${pick(rand, TAILS)}.`;
  return text[0].toUpperCase() + text.slice(1);
}

/** About `words` words of Markdown: paragraphs of 4–6 sentences, a `##` heading every three paragraphs. */
export function body(rand, words) {
  const parts = [];
  let count = 0;
  let paragraphs = 0;
  while (count < words) {
    if (paragraphs > 0 && paragraphs % 3 === 0) parts.push(`## ${pick(rand, HEADINGS)}`);
    const sentences = Array.from({ length: 4 + Math.floor(rand() * 3) }, () => sentence(rand));
    const paragraph = sentences.join(" ");
    count += paragraph.split(/\s+/).length;
    parts.push(paragraph);
    paragraphs++;
  }
  parts.push("Members can read the practical detail in [the strategy section](/strategy/).");
  return parts.join("\n\n");
}

function essay(rand, index, membersOnlyEvery) {
  const title = `${pick(rand, TITLE_WORDS)} ${pick(rand, TITLE_NOUNS)}: note ${index + 1}`;
  const tags = [...new Set(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(rand, TAGS)))];
  const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 6 * 365) * 86_400_000).toISOString().slice(0, 10);
  const frontmatter = [
    "---",
    `title: "${title}"`,
    `description: "A generated benchmark essay about ${tags.join(", ")}, written to measure how the build scales."`,
    `pubDate: ${day}`,
    `tags: [${tags.map((tag) => `"${tag}"`).join(", ")}]`,
    // By default one essay in ten is members-only, like the shipped content's mix; 0 makes every essay public.
    ...(membersOnlyEvery > 0 && index % membersOnlyEvery === membersOnlyEvery - 1 ? ["membersOnly: true"] : []),
    "---",
  ];
  return `${frontmatter.join("\n")}\n\n${body(rand, 800)}\n`;
}

/** Writes `n` essays (one in `membersOnlyEvery` members-only; 0: none) and the shipped strategy pages into `outDir`
 *  (recreated); returns the folder. */
export function generateContent(n, outDir = join(ROOT, "bench", ".tmp", `content-${n}`), { membersOnlyEvery = 10 } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "essays"), { recursive: true });
  const rand = random(20261001 + n);
  for (let i = 0; i < n; i++) {
    writeFileSync(join(outDir, "essays", `bench-essay-${String(i + 1).padStart(4, "0")}.mdx`), essay(rand, i, membersOnlyEvery));
  }
  cpSync(join(ROOT, "content", "strategy"), join(outDir, "strategy"), { recursive: true });
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 100);
  const dir = generateContent(n, process.argv[3] ? resolve(process.argv[3]) : undefined);
  console.log(`wrote ${n} essays to ${dir}`);
}
