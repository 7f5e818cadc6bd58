// Draws a social card (src/lib/social-cards.ts) as a 1200×630 PNG: the site's mark and name, a label, the title,
// the standfirst and the site's address, in Source Serif 4 and Source Sans 3 read from their npm packages (no
// network). Satori lays the text out into an SVG of glyph outlines; sharp rasterises it. Build time only: the
// prerendered endpoint src/pages/og/[...card].png.ts is its one caller, so none of this reaches the Worker.
// Every string drawn is also written into the PNG (an iTXt chunk, "Drawn text") so the build tests can check
// that a card carries public text only.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { crc32 } from "node:zlib";
import satori from "satori";
import sharp from "sharp";
import { SITE_TITLE, SOCIAL_CARD_SIZE } from "@src/site";
import type { CardText } from "./social-cards";

/** The iTXt keyword under which a card records every string drawn on it, as JSON (read by tests/build/media.test.ts). */
const DRAWN_TEXT_KEYWORD = "Drawn text";

// The light palette of src/styles/global.css: a card looks like the page it stands for.
const COLOUR = { paper: "#f7f3ea", ink: "#1c2220", muted: "#4c5652", rule: "#d9d1bf", accent: "#0b5a4a", clay: "#9c3f1c", rings: "#ece5d3" };

type Node = { type: string; props: Record<string, unknown> & { style?: Record<string, unknown>; children?: unknown } };
const el = (type: string, style: Record<string, unknown>, children?: Node[] | string): Node => ({ type, props: { style, children } });

/** The brand mark of BaseLayout.astro's header (two concentric circles), at `size` px in `colour`. */
function mark(size: number, colour: string, stroke = 3): Node {
  return {
    type: "svg",
    props: {
      width: size, height: size, viewBox: "0 0 32 32",
      children: [
        { type: "circle", props: { cx: 16, cy: 16, r: 14, fill: "none", stroke: colour, "stroke-width": stroke } },
        { type: "circle", props: { cx: 16, cy: 16, r: 5, fill: colour } },
      ],
    },
  };
}

/** The card's layout as a Satori element tree. Long titles get a smaller size and leave fewer standfirst lines. */
function cardTree({ label, title, standfirst }: CardText, host: string): Node {
  // About 28 characters fit on a line at 76 px, 34 at 66 px and 42 at 56 px: titles take one to three lines.
  const titleSize = title.length <= 28 ? 76 : title.length <= 64 ? 66 : 56;
  const standfirstLines = title.length <= 64 ? 3 : 2;
  return el("div", { width: SOCIAL_CARD_SIZE.width, height: SOCIAL_CARD_SIZE.height, boxSizing: "border-box", display: "flex", flexDirection: "column", padding: "60px 80px 0", background: COLOUR.paper, color: COLOUR.ink, position: "relative" }, [
    el("div", { display: "flex", alignItems: "center", justifyContent: "space-between" }, [
      el("div", { display: "flex", alignItems: "center", gap: 16 }, [
        mark(46, COLOUR.accent),
        el("div", { fontFamily: "Sans", fontWeight: 600, fontSize: 36, letterSpacing: "-0.01em" }, SITE_TITLE),
      ]),
      ...(label ? [el("div", { fontFamily: "Sans", fontWeight: 600, fontSize: 22, letterSpacing: "0.14em", textTransform: "uppercase", color: COLOUR.clay }, label)] : []),
    ]),
    el("div", { display: "flex", flexDirection: "column", flexGrow: 1, justifyContent: "center", paddingRight: 40 }, [
      el("div", { display: "block", lineClamp: 3, textWrap: "balance", fontFamily: "Serif", fontWeight: 600, fontSize: titleSize, lineHeight: 1.08, letterSpacing: "-0.015em" }, title),
      el("div", { display: "block", lineClamp: standfirstLines, fontFamily: "Serif", fontWeight: 400, fontSize: 30, lineHeight: 1.38, color: COLOUR.muted, marginTop: 26 }, standfirst),
    ]),
    el("div", { display: "flex", borderTop: `2px solid ${COLOUR.rule}`, padding: "20px 0 34px", fontFamily: "Sans", fontWeight: 600, fontSize: 22, color: COLOUR.muted }, host),
    el("div", { position: "absolute", left: 0, right: 0, bottom: 0, height: 12, background: COLOUR.accent }),
    // The mark again, large and faint, cut off by the bottom right corner: wards as rings.
    el("div", { position: "absolute", right: -90, bottom: -170, display: "flex" }, [mark(300, COLOUR.rings, 2.6)]),
  ]);
}

/** Every string in a tree, in drawing order: exactly what the card shows. */
function drawnText(node: Node): string[] {
  const children = node.props.children;
  if (typeof children === "string") return [children];
  return Array.isArray(children) ? (children as Node[]).flatMap(drawnText) : [];
}

const require = createRequire(import.meta.url);
const FONT_FILES = [
  ["Serif", 400, "@fontsource/source-serif-4/files/source-serif-4-latin-400-normal.woff"],
  ["Serif", 400, "@fontsource/source-serif-4/files/source-serif-4-latin-ext-400-normal.woff"],
  ["Serif", 600, "@fontsource/source-serif-4/files/source-serif-4-latin-600-normal.woff"],
  ["Serif", 600, "@fontsource/source-serif-4/files/source-serif-4-latin-ext-600-normal.woff"],
  ["Sans", 600, "@fontsource/source-sans-3/files/source-sans-3-latin-600-normal.woff"],
  ["Sans", 600, "@fontsource/source-sans-3/files/source-sans-3-latin-ext-600-normal.woff"],
] as const;
let fonts: Promise<Array<{ name: string; weight: 400 | 600; data: Buffer }>> | undefined;
function loadFonts() {
  fonts ??= Promise.all(FONT_FILES.map(async ([name, weight, file]) => ({ name, weight, data: await readFile(require.resolve(file)) })));
  return fonts;
}

/** An uncompressed international text chunk (PNG iTXt): keyword, then UTF-8 text. */
function itxtChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, "latin1"), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, "utf8")]);
  const typeAndData = Buffer.concat([Buffer.from("iTXt", "latin1"), data]);
  const chunk = Buffer.alloc(8 + data.length + 4);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return chunk;
}

/** The card as PNG bytes. `host` is the site's address as shown at the foot ("smallism.org"). */
export async function renderSocialCard(text: CardText, host: string): Promise<Buffer> {
  const tree = cardTree(text, host);
  const svg = await satori(tree as Parameters<typeof satori>[0], { ...SOCIAL_CARD_SIZE, fonts: await loadFonts() });
  // A 256-colour palette keeps the flat card small (about half the bytes of a full-colour PNG) with no visible loss.
  const png = await sharp(Buffer.from(svg)).png({ palette: true, compressionLevel: 9, effort: 10 }).toBuffer();
  // The signature (8 bytes) and IHDR (25 bytes) come first; the text chunk goes right after them.
  return Buffer.concat([png.subarray(0, 33), itxtChunk(DRAWN_TEXT_KEYWORD, JSON.stringify(drawnText(tree))), png.subarray(33)]);
}
