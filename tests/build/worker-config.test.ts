// Build checks on the Worker that `wrangler deploy` uploads (dist/server): it carries the daily Cron Trigger and
// its entry exports the scheduled handler that runs functions/housekeeping.ts, so expired rows really get deleted.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const config = JSON.parse(readFileSync("dist/server/wrangler.json", "utf8")) as { main: string; triggers?: { crons?: string[] }; d1_databases?: Array<{ binding: string }> };

describe("the deployed Worker's configuration", () => {
  it("has a daily Cron Trigger", () => {
    expect(config.triggers?.crons).toEqual(["17 3 * * *"]);
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
