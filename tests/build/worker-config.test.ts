// Build checks on the Worker that `wrangler deploy` uploads (dist/server): it carries the daily Cron Trigger and
// its entry exports the scheduled handler that runs functions/housekeeping.ts, so expired rows really get deleted;
// and it stays small: pictures and social cards are made at build time, so no image or card code, font or image
// file is in it, and its code stays under a ceiling (the common-password list, data built in on purpose, under one
// of its own).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import compress from "@zxcvbn-ts/dictionary-compression/compress";
import { commonPasswordEntries } from "@src/integrations/common-passwords";
import { SERVER, rel, walk } from "./dist";

const config = JSON.parse(readFileSync("dist/server/wrangler.json", "utf8")) as { main: string; triggers?: { crons?: string[] }; d1_databases?: Array<{ binding: string }> };

describe("the deployed Worker's configuration", () => {
  it("has a daily Cron Trigger, and one every minute for scheduled letters", () => {
    expect(config.triggers?.crons).toEqual(["17 3 * * *", "* * * * *"]);
  });

  it("produces to and consumes the letters queue, with a dead-letter queue, and its entry exports the queue handler", () => {
    const queues = (config as { queues?: { producers?: { binding: string; queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string; max_retries?: number }[] } }).queues;
    expect(queues?.producers).toEqual([expect.objectContaining({ binding: "LETTERS", queue: "smallism-letters" })]);
    expect(queues?.consumers?.map((c) => c.queue)).toEqual(["smallism-letters", "smallism-letters-dead"]);
    expect(queues?.consumers?.[0]).toMatchObject({ dead_letter_queue: "smallism-letters-dead", max_retries: 6 });
    expect(readFileSync(`dist/server/${config.main}`, "utf8")).toMatch(/\bqueue\b/);
  });

  it("its entry exports a scheduled handler next to fetch", () => {
    const entry = readFileSync(`dist/server/${config.main}`, "utf8");
    expect(entry).toMatch(/\bscheduled\b/);
    expect(entry).toMatch(/deleteExpiredRows|DELETE FROM sessions WHERE expires_at/);
  });

  it("binds D1 as DB", () => {
    expect(config.d1_databases?.map((db) => db.binding)).toEqual(["DB"]);
  });
});

describe("the deployed Worker's size", () => {
  /** Worker code (dist/server without source maps, wrangler.json or .dev.vars) of the test build, in bytes, besides
   *  the common-password list. History: 1,789,268 before pictures and social cards; 1,885,924 with the staff console
   *  and the security review's fixes (after public essays left the Worker); 2,025,348 with passwordless sign-in (its
   *  passkey chunk is 106 KB, 43 KB of it @oslojs ECDSA/RSA/ASN.1); 2,150,485 with wards; the ceiling rose with each
   *  to 2,250,000. Then the Worker was minified (astro.config.mjs minifyWorker: Astro's build had been switching
   *  Vite's minify off for it): 1,173,924 with everything above, and the ceiling came down to 1,400,000. */
  const WORKER_CODE_CEILING = 1_400_000;
  /** The common-password list is data, not code, and bounded on its own: 17,950 passwords front-coded in 83,224
   *  bytes when it came in (src/integrations/common-passwords.ts). A larger source list must be chosen on purpose. */
  const PASSWORD_LIST_CEILING = 90_000;
  const code = () => walk(SERVER).filter((file) => !/\.map$|(^|\/)(wrangler\.json|\.dev\.vars)$/.test(file));
  // Searched as its raw text: the minifier may quote the literal with "…" or `…`. The front coding uses letters, digits
  // and punctuation that need no escape in either (checked), so the raw text is what the file holds.
  const passwordList = compress(commonPasswordEntries()) as string;

  it(`holds the common-password list once, in at most ${PASSWORD_LIST_CEILING} bytes`, () => {
    const holding = code().map((file) => readFileSync(file, "utf8").split(passwordList).length - 1);
    expect(/[\\"`\n]|\$\{/.test(passwordList), "the list holds a character a literal would escape").toBe(false);
    expect(holding.reduce((total, n) => total + n, 0)).toBe(1);
    expect(passwordList.length).toBeLessThanOrEqual(PASSWORD_LIST_CEILING);
  });

  it(`its code besides that list is under ${WORKER_CODE_CEILING} bytes`, () => {
    const bytes = code().reduce((total, file) => total + readFileSync(file).length, 0);
    console.info(`[worker] ${code().length} files, ${bytes} bytes, of which the password list ${passwordList.length}`);
    expect(bytes - passwordList.length).toBeLessThan(WORKER_CODE_CEILING);
  });

  it("holds no image or font file, and no image-processing or card-drawing code", () => {
    const found: string[] = [];
    for (const file of code()) {
      if (!file.endsWith(".mjs") && !file.endsWith(".js")) {
        found.push(`${rel(file, SERVER)}: not JavaScript`);
        continue;
      }
      const text = readFileSync(file, "latin1");
      const checks: Array<[string, RegExp]> = [
        ["imports sharp", /from\s*["']sharp["']|import\(\s*["']sharp["']\s*\)|require\(\s*["']sharp["']\s*\)/],
        ["contains Satori", /\bsatori\b/i],
        ["contains HarfBuzz or Yoga", /harfbuzz|yoga-layout/i],
        ["contains a WOFF font or an AVIF image", /wOFF|ftypavif/],
        ["contains the card renderer", /Drawn text|renderSocialCard/],
      ];
      for (const [what, pattern] of checks) if (pattern.test(text)) found.push(`${rel(file, SERVER)}: ${what}`);
    }
    expect(found).toEqual([]);
  });
});
