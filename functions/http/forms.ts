// Reading form posts safely: a size cap before anything is parsed, URL-encoded bodies only, and helpers that
// turn fields into trimmed strings. Every on-demand form handler uses these.
import { discardBody, readBodyWithin } from "./request-body";

/** Bodies larger than this are refused before parsing or hashing (a form here is a few hundred bytes). */
export const MAX_FORM_BYTES = 16 * 1024;

export type FormReadResult = { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415 | 400; message: string };

/** Reads an application/x-www-form-urlencoded body of at most `maxBytes` (request-body.ts: streamed, so a lying Content-Length cannot help). */
export async function readForm(request: Request, maxBytes = MAX_FORM_BYTES): Promise<FormReadResult> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    await discardBody(request);
    return { ok: false, status: 415, message: "This form must be sent as a normal web form." };
  }
  const bytes = await readBodyWithin(request, maxBytes);
  if (bytes === null) return { ok: false, status: 413, message: "That was far more text than this form accepts." };
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
