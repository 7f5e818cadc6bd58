// readForm, field and hasControlCharacters (functions/http/forms.ts): how every on-demand form handler reads a post.
// URL-encoded bodies only (415 otherwise), a size cap checked against the declared length and again while
// streaming (413; refused bodies drained up to 1 MiB), strict UTF-8 (400), and a control-character check for single-line fields.
import { describe, expect, it } from "vitest";
import { MAX_FORM_BYTES, field, hasControlCharacters, readForm } from "@functions/http/forms";
import { DRAIN_LIMIT } from "@functions/http/request-body";

const URL_ENCODED = "application/x-www-form-urlencoded";

function post(body: BodyInit | null, headers: Record<string, string> = { "Content-Type": URL_ENCODED }): Request {
  return new Request("https://smallism.org/login", { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

/** A body streamed in chunks, so the request has no Content-Length. */
function streamed(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

describe("content type", () => {
  it.each([
    [URL_ENCODED],
    [`${URL_ENCODED}; charset=UTF-8`],
    ["Application/X-WWW-Form-Urlencoded"],
    [` ${URL_ENCODED} ;charset=utf-8`],
  ])("%j is read", async (type) => {
    const result = await readForm(post("email=a%40b.example", { "Content-Type": type }));
    expect(result.ok && field(result.fields, "email")).toBe("a@b.example");
  });

  it.each([
    ["missing", null],
    ["multipart", "multipart/form-data; boundary=x"],
    ["JSON", "application/json"],
    ["plain text", "text/plain"],
    ["a look-alike", "application/x-www-form-urlencoded-evil"],
    ["empty", ""],
  ])("%s → 415", async (_label, type) => {
    const result = await readForm(post("email=a", type === null ? {} : { "Content-Type": type }));
    expect(result).toMatchObject({ ok: false, status: 415 });
    if (!result.ok) expect(result.message).not.toBe("");
  });
});

describe("size cap", () => {
  it("the default cap is 16 KiB", () => expect(MAX_FORM_BYTES).toBe(16 * 1024));

  it("a declared Content-Length over the drain limit → 413 before the body is read", async () => {
    let pulled = false;
    // highWaterMark 0: the stream is pulled only when someone reads it.
    const body = new ReadableStream({ pull(controller) { pulled = true; controller.close(); } }, { highWaterMark: 0 });
    const result = await readForm(post(body, { "Content-Type": URL_ENCODED, "Content-Length": String(DRAIN_LIMIT + 1) }));
    expect(result).toMatchObject({ ok: false, status: 413 });
    expect(pulled, "the body was not read").toBe(false);
  });

  it("a refused body up to the drain limit is read to its end and dropped (so proxies keep the connection)", async () => {
    for (const size of [MAX_FORM_BYTES + 10, 500_000, DRAIN_LIMIT]) {
      const request = post("x=".padEnd(size, "y"), { "Content-Type": URL_ENCODED, "Content-Length": String(size) });
      expect(await readForm(request), `${size} bytes`).toMatchObject({ ok: false, status: 413 });
      expect(request.bodyUsed, `${size} bytes`).toBe(true);
    }
    const wrongType = post("{}", { "Content-Type": "application/json" });
    expect(await readForm(wrongType)).toMatchObject({ ok: false, status: 415 });
    expect(wrongType.bodyUsed).toBe(true);
  });

  it.each([
    ["exactly the cap", 100, true],
    ["one byte over", 101, false],
  ])("a streamed body of %s (no Content-Length)", async (_label, size, ok) => {
    const body = `a=${"x".repeat(size - 2)}`;
    const result = await readForm(post(streamed([new TextEncoder().encode(body)])), 100);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toMatchObject({ status: 413 });
  });

  it("a streamed body that never ends, in 1 KiB chunks → 413, and reading stops just past the drain limit", async () => {
    let chunksRead = 0;
    const chunk = new TextEncoder().encode(`a=${"x".repeat(1022)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunksRead++;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    const result = await readForm(post(body));
    expect(result).toMatchObject({ ok: false, status: 413 });
    expect(chunksRead).toBeLessThanOrEqual(DRAIN_LIMIT / 1024 + 2);
  });

  it("a Content-Length that lies (small) does not let a big body through", async () => {
    const result = await readForm(post(streamed([new TextEncoder().encode(`a=${"x".repeat(MAX_FORM_BYTES)}`)]), { "Content-Type": URL_ENCODED, "Content-Length": "10" }));
    expect(result).toMatchObject({ ok: false, status: 413 });
  });

  it("an unreadable Content-Length falls back to the streamed count", async () => {
    const small = await readForm(post(streamed([new TextEncoder().encode("a=1")]), { "Content-Type": URL_ENCODED, "Content-Length": "abc" }));
    expect(small.ok).toBe(true);
  });
});

describe("encoding", () => {
  it.each([
    ["a lone 0xFF byte", [0x61, 0x3d, 0xff]],
    ["a truncated 2-byte sequence", [0x61, 0x3d, 0xc3]],
    ["an overlong encoding of /", [0x61, 0x3d, 0xc0, 0xaf]],
    ["a UTF-16 surrogate encoded in UTF-8", [0x61, 0x3d, 0xed, 0xa0, 0x80]],
  ])("invalid UTF-8 (%s) → 400", async (_label, bytes) => {
    const result = await readForm(post(new Uint8Array(bytes)));
    expect(result).toMatchObject({ ok: false, status: 400 });
  });

  it("valid UTF-8 is decoded (raw and percent-encoded)", async () => {
    const result = await readForm(post(new TextEncoder().encode("name=Zo\u00eb&city=%C5%81%C3%B3d%C5%BA")));
    expect(result.ok).toBe(true);
    if (result.ok) expect([field(result.fields, "name"), field(result.fields, "city")]).toEqual(["Zo\u00eb", "\u0141\u00f3d\u017a"]);
  });
});

describe("parsing a normal form", () => {
  it("reads fields, decodes + and %XX, keeps the first of a repeated field, and gives \"\" for a missing one", async () => {
    const result = await readForm(post("email=ada%40example.org&password=correct+horse+battery&next=%2Fstrategy%2F%3Fx%3D1&email=second"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(field(result.fields, "email")).toBe("ada@example.org");
    expect(field(result.fields, "password")).toBe("correct horse battery");
    expect(field(result.fields, "next")).toBe("/strategy/?x=1");
    expect(field(result.fields, "missing")).toBe("");
    expect(result.fields.getAll("email")).toEqual(["ada@example.org", "second"]);
  });

  it("an empty body is an empty form", async () => {
    const result = await readForm(post(null));
    expect(result.ok && [...result.fields]).toEqual([]);
  });
});

describe("hasControlCharacters", () => {
  it.each([
    ["", false],
    ["plain text", false],
    ["Zoë Łódź 東京 🙂", false],
    ["tab\tinside", false],
    ["NUL \u0000", true],
    ["bell \u0007", true],
    ["backspace \u0008", true],
    ["vertical tab \u000B", true],
    ["form feed \u000C", true],
    ["carriage return \r", true],
    ["CRLF \r\n", true],
    ["escape \u001B[31m", true],
    ["unit separator \u001F", true],
    ["DEL \u007F", true],
    // The doc comment allows tab only, and form-guard.ts calls this for every field but free text (checked by its
    // form), so a bare line feed must count as a control character in single-line fields.
    ["line feed \n", true],
    ["header injection a\nBcc: x@evil.example", true],
  ])("%j → %s", (value, expected) => {
    expect(hasControlCharacters(value)).toBe(expected);
  });
});
