// The HTTP side of the console's CSV exports (src/pages/admin/*.csv.astro): a refused query as a plain-text 400, or
// the stream as an attachment named for what and when, never cached.
import type { Parsed } from "@functions/staff/paging";
import { exportFileName } from "@functions/staff/exports";

/** The export's response: `parsed`'s message (400), or the stream `start` opens as a CSV download. */
export async function csvResponse<Q>(
  parsed: Parsed<Q>, what: "members" | "donations", start: (query: Q, now: number) => Promise<ReadableStream<Uint8Array>>, now: number,
): Promise<Response> {
  if (!parsed.ok) return new Response(`${parsed.message}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(await start(parsed.value, now), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${exportFileName(what, now)}"`,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
