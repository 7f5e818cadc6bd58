// The build refuses an invalid BITCOIN_ADDRESS (issue 5): runs the real `astro build` with a bad address and
// checks it stops with a message naming the setting, before writing any output.
import { spawnSync } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function buildWith(env: Record<string, string>): { status: number | null; output: string; outDir: string } {
  const outDir = mkdtempSync(join(tmpdir(), "smallism-config-"));
  rmSync(outDir, { recursive: true });
  const result = spawnSync("npx", ["astro", "build"], {
    env: { ...process.env, ...env, SMALLISM_OUT_DIR: outDir },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, outDir };
}

describe("donation settings at build time", () => {
  it("an invalid BITCOIN_ADDRESS fails the build with a clear message and writes nothing", () => {
    const { status, output, outDir } = buildWith({ BITCOIN_ADDRESS: "bc1-not-an-address-at-all-0000000000" });
    expect(status).not.toBe(0);
    expect(output).toMatch(/BITCOIN_ADDRESS \(from the environment\) is not a valid Bitcoin address/);
    expect(existsSync(join(outDir, "client"))).toBe(false);
  }, 130_000);

  it("a minimum above the maximum fails the build too", () => {
    const { status, output } = buildWith({ DONATION_MIN: "500", DONATION_MAX: "10" });
    expect(status).not.toBe(0);
    expect(output).toMatch(/DONATION_MIN/);
  }, 130_000);
});
