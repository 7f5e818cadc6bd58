// Reading form posts safely: a size cap before anything is parsed, URL-encoded bodies only, and helpers that
// turn fields into trimmed strings. Every on-demand form handler uses these.

/** Bodies larger than this are refused before parsing or hashing (a form here is a few hundred bytes). */
export const MAX_FORM_BYTES = 16 * 1024;
const DISCARD_LIMIT = 4 * MAX_FORM_BYTES;

export type FormReadResult = { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415 | 400; message: string };

/**
 * Reads and discards up to `maxBytes` of a body we are refusing. Answering before a small body is consumed makes
 * some proxies drop the connection (the next request on it fails), so we read it; larger bodies are cut off.
 */
export async function discardBody(request: Request, maxBytes = DISCARD_LIMIT): Promise<void> {
  if (request.body === null || request.bodyUsed) return;
  const reader = request.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > maxBytes) break;
    }
    await reader.cancel();
  } catch {
    // A broken upload needs no further handling: the answer is a refusal anyway.
  }
}

/** Reads an application/x-www-form-urlencoded body of at most `maxBytes`, streaming so a lying Content-Length cannot help. */
export async function readForm(request: Request, maxBytes = MAX_FORM_BYTES): Promise<FormReadResult> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    await discardBody(request);
    return { ok: false, status: 415, message: "This form must be sent as a normal web form." };
  }
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) {
    // A body declared far too large is not worth reading, even to discard it.
    if (declared <= DISCARD_LIMIT) await discardBody(request);
    return { ok: false, status: 413, message: "That was far more text than this form accepts." };
  }
  if (request.body === null) return { ok: true, fields: new URLSearchParams() };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, status: 413, message: "That was far more text than this form accepts." };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, fields: new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false, status: 400, message: "The form contained characters we could not read." };
  }
}

/** A field as a string ("" when absent); only the first value counts when a field is repeated. */
export function field(fields: URLSearchParams, name: string): string {
  return fields.get(name) ?? "";
}

/** True when a text value has control characters (other than tab) that no human typed into a form. */
export function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u0008\u000A-\u001F\u007F]/.test(value);
}
