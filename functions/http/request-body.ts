// Reading request bodies within a size limit, and draining the ones we refuse. Bodies are read as a stream and
// counted, so neither a missing Content-Length (chunked uploads) nor a lying one can make the Worker hold more
// than the limit. Used by forms.ts (every form post), the Stripe webhook, the middleware's Origin refusal, and the
// Worker's entry for any answer given without reading the body (a POST to a page that does not exist).

/**
 * A refused body up to this size is read to its end before the answer goes out: answering while the client is
 * still uploading makes some proxies (the local preview's among them) drop the connection, and the next request
 * on it fails. Past this size the upload is cut off instead, which closes the connection.
 */
export const DRAIN_LIMIT = 1024 * 1024;

/** The Content-Length the client declared, or null when it is absent or not a number. */
function declaredLength(request: Request): number | null {
  const header = request.headers.get("Content-Length");
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header);
}

/** Reads and throws away the rest of a stream, up to DRAIN_LIMIT bytes counting `alreadyRead`; then cuts it off. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead;
  try {
    while (size <= DRAIN_LIMIT) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A broken upload needs no further handling: the answer is a refusal anyway.
  }
}

/** Drains a body we are refusing without looking at it (see DRAIN_LIMIT); one declared larger than that is not read. */
export async function discardBody(request: Request): Promise<void> {
  if (request.body === null || request.bodyUsed || request.body.locked) return;
  const reader = request.body.getReader();
  const declared = declaredLength(request);
  if (declared !== null && declared > DRAIN_LIMIT) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  await drain(reader, 0);
}

/**
 * The whole body when it is at most `maxBytes`, or null when it is larger (declared or actually sent); a body
 * refused here has been drained as discardBody does, so the answer can go out on a healthy connection.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) {
    await discardBody(request);
    return null;
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader, size);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
