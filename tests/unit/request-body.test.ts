// readBodyWithin and discardBody (functions/http/request-body.ts): bodies are counted as they stream, so a missing
// or lying Content-Length never makes the Worker hold more than the cap, and a refused body is drained up to
// DRAIN_LIMIT (1 MiB) before the answer, then cut off.
import { describe, expect, it } from "vitest";
import { DRAIN_LIMIT, discardBody, readBodyWithin } from "@functions/http/request-body";

/** A POST whose body is `chunks` KiB-sized chunks (endless when chunks is Infinity), counting the chunks read. */
function chunkedPost(chunks: number, headers: Record<string, string> = {}): { request: Request; read: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(1024).fill(0x61);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const request = new Request("https://smallism.org/api/stripe/webhook", { method: "POST", headers, body, duplex: "half" } as RequestInit);
  return { request, read: () => pulled, cancelled: () => cancelled };
}

describe("readBodyWithin", () => {
  it("returns every byte of a body at or under the cap, with or without Content-Length", async () => {
    expect((await readBodyWithin(chunkedPost(64).request, 64 * 1024))?.byteLength).toBe(64 * 1024);
    expect((await readBodyWithin(chunkedPost(64, { "Content-Length": String(64 * 1024) }).request, 64 * 1024))?.byteLength).toBe(64 * 1024);
    const empty = new Request("https://smallism.org/", { method: "POST" });
    expect((await readBodyWithin(empty, 10))?.byteLength).toBe(0);
  });

  it("refuses a streamed body one KiB over the cap, and drains the rest of it (up to the drain limit)", async () => {
    const upload = chunkedPost(65);
    expect(await readBodyWithin(upload.request, 64 * 1024)).toBeNull();
    expect(upload.read(), "the whole 65 KiB was read").toBe(65);
    const bigger = chunkedPost(900);
    expect(await readBodyWithin(bigger.request, 16 * 1024)).toBeNull();
    expect(bigger.read(), "900 KiB drained to its end").toBe(900);
    expect(bigger.cancelled()).toBe(false);
  });

  it("an endless chunked body is cut off just past the drain limit", async () => {
    const upload = chunkedPost(Infinity);
    expect(await readBodyWithin(upload.request, DRAIN_LIMIT)).toBeNull();
    expect(upload.read()).toBeLessThanOrEqual(DRAIN_LIMIT / 1024 + 2);
    expect(upload.cancelled()).toBe(true);
  });

  it("a Content-Length that lies low does not let a bigger body through", async () => {
    expect(await readBodyWithin(chunkedPost(20, { "Content-Length": "100" }).request, 16 * 1024)).toBeNull();
  });

  it("a declared Content-Length over the cap is refused: drained when within the drain limit, not read beyond it", async () => {
    const modest = chunkedPost(40, { "Content-Length": String(40 * 1024) });
    expect(await readBodyWithin(modest.request, 16 * 1024)).toBeNull();
    expect(modest.read()).toBe(40);
    const huge = chunkedPost(Infinity, { "Content-Length": String(100 * 1024 * 1024) });
    expect(await readBodyWithin(huge.request, 16 * 1024)).toBeNull();
    expect(huge.read(), "not read at all").toBe(0);
  });
});

describe("discardBody", () => {
  it("reads a refused body up to 1 MiB to its end", async () => {
    const upload = chunkedPost(1024);
    await discardBody(upload.request);
    expect(upload.read()).toBe(1024);
    expect(upload.cancelled()).toBe(false);
  });

  it("cuts off a body larger than 1 MiB, declared or not", async () => {
    const endless = chunkedPost(Infinity);
    await discardBody(endless.request);
    expect(endless.cancelled()).toBe(true);
    expect(endless.read()).toBeLessThanOrEqual(DRAIN_LIMIT / 1024 + 2);
    const declared = chunkedPost(Infinity, { "Content-Length": String(DRAIN_LIMIT + 1) });
    await discardBody(declared.request);
    expect(declared.read()).toBe(0);
  });

  it("is harmless on a request without a body or one already read", async () => {
    await discardBody(new Request("https://smallism.org/"));
    const used = new Request("https://smallism.org/", { method: "POST", body: "x=1" });
    await used.text();
    await discardBody(used);
  });
});
