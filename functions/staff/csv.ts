// RFC 4180 CSV for the console's exports (/admin/members.csv, /admin/donations.csv), streamed: a ReadableStream that
// asks for one page of rows at a time (keyset paging in exports.ts), so no list is ever held whole in memory. Cells a
// spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return; OWASP "CSV Injection") get a
// leading apostrophe, which spreadsheets show as text; fields with a quote, comma or line break are quoted.

export type CsvValue = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: formula-neutralised, then quoted when it holds a quote, comma or line break. */
export function csvCell(value: CsvValue): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** A page of rows and whatever the source needs to fetch the next one (null: this was the last). */
export interface CsvPage<C> { rows: CsvValue[][]; next: C | null }

/**
 * A CSV stream: the header, then the rows of `first`, then each page `fetchPage` returns for the previous page's
 * `next`, one D1 query per pull. A failure mid-stream errors the stream (the download is cut, never silently short).
 */
export function csvStream<C>(header: readonly string[], first: CsvPage<C>, fetchPage: (cursor: C) => Promise<CsvPage<C>>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let page: CsvPage<C> | null = first;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        // A byte-order mark, so spreadsheet programs read the file as UTF-8 (names are not all ASCII).
        controller.enqueue(encoder.encode(`\uFEFF${csvRow(header)}`));
        return;
      }
      // Each pull must enqueue or close: with no buffer (highWaterMark 0) a pull that does neither is never followed by
      // another, and the download would hang. An empty page (the end, or nothing matched) moves straight on.
      while (page !== null) {
        const current: CsvPage<C> = page;
        page = current.next === null ? null : await fetchPage(current.next);
        if (current.rows.length > 0) {
          controller.enqueue(encoder.encode(current.rows.map(csvRow).join("")));
          return;
        }
      }
      controller.close();
    },
  }, { highWaterMark: 0 });
}
