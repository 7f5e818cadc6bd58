// The social-card renderer in Node (Satori + sharp, fonts from their npm packages): a real PNG of the right size,
// with a valid text chunk recording exactly what was drawn, for short, long and non-ASCII text.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { renderSocialCard } from "@src/lib/social-card-image";

interface Chunk { type: string; data: Buffer; crcOk: boolean }

/** The chunks of a PNG, each with whether its CRC is right. */
function pngChunks(png: Buffer): Chunk[] {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    chunks.push({ type: typeAndData.subarray(0, 4).toString("latin1"), data: typeAndData.subarray(4), crcOk: crc32(typeAndData) === png.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

/** The strings the card says it drew (its "Drawn text" iTXt chunk). */
function drawnText(chunks: Chunk[]): string[] {
  const chunk = chunks.find((c) => c.type === "iTXt" && c.data.subarray(0, 10).toString("latin1") === "Drawn text");
  if (!chunk) throw new Error("no Drawn text chunk");
  return JSON.parse(chunk.data.subarray(15).toString("utf8")) as string[];
}

describe("renderSocialCard", () => {
  const cases = [
    { name: "a short essay", text: { label: "Essay", title: "Why wards", standfirst: "Small is where people can see each other." } },
    { name: "a 90-character title and a long standfirst", text: { label: "Strategy · Wards", title: "A".repeat(30) + " " + "b".repeat(29) + " " + "c".repeat(29), standfirst: "word ".repeat(80).trim() } },
    { name: "no label, non-ASCII text", text: { label: "", title: "Łódź, Zürich and Cwm — ownership “at home”", standfirst: "Café prices, résumés and naïve plans." } },
  ];
  it.each(cases)("draws $name as a valid 1200×630 PNG that records its text", async ({ text }) => {
    const png = await renderSocialCard(text, "smallism.org");
    const chunks = pngChunks(png);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    expect(chunks[0]!.type).toBe("IHDR");
    expect([chunks[0]!.data.readUInt32BE(0), chunks[0]!.data.readUInt32BE(4)]).toEqual([1200, 630]);
    expect(chunks.at(-1)!.type).toBe("IEND");
    expect(chunks.some((c) => c.type === "IDAT")).toBe(true);
    const drawn = drawnText(chunks);
    expect(drawn).toContain(text.title);
    expect(drawn).toContain("smallism.org");
    if (text.label) expect(drawn).toContain(text.label);
    // The standfirst may be shortened with "…", never replaced: what is drawn is a prefix of it.
    const standfirst = drawn.find((s) => s.startsWith(text.standfirst.slice(0, 20)));
    expect(standfirst).toBeDefined();
    expect(text.standfirst.startsWith(standfirst!.replace(/…$/, ""))).toBe(true);
  }, 30_000);

  it("draws different cards for different titles", async () => {
    const one = await renderSocialCard({ label: "Essay", title: "One", standfirst: "First." }, "smallism.org");
    const two = await renderSocialCard({ label: "Essay", title: "Two", standfirst: "First." }, "smallism.org");
    expect(one.equals(two)).toBe(false);
  }, 30_000);
});
