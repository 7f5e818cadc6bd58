// Member-only bodies are rendered once per isolate (src/lib/render-cache.ts): the second request reuses the first
// render, two at once share one, each key has its own, and a failed render is tried again.
import { describe, expect, it } from "vitest";
import { renderOnce } from "@src/lib/render-cache";

describe("renderOnce", () => {
  it("renders a key once and reuses the HTML, also for concurrent callers", async () => {
    let renders = 0;
    const render = async () => `<p>body ${++renders}</p>`;
    const [a, b] = await Promise.all([renderOnce("t/one/1", render), renderOnce("t/one/1", render)]);
    expect(await renderOnce("t/one/1", render)).toBe("<p>body 1</p>");
    expect([a, b, renders]).toEqual(["<p>body 1</p>", "<p>body 1</p>", 1]);
  });

  it("keeps keys apart (a new digest is a new render)", async () => {
    expect(await renderOnce("t/two/1", async () => "old")).toBe("old");
    expect(await renderOnce("t/two/2", async () => "new")).toBe("new");
  });

  it("does not keep a failed render", async () => {
    await expect(renderOnce("t/three/1", async () => { throw new Error("render failed"); })).rejects.toThrow("render failed");
    await Promise.resolve();
    expect(await renderOnce("t/three/1", async () => "second try")).toBe("second try");
  });
});
