// One more server for the browser tests that need other settings than the suite's preview (tests/support/test-env.ts):
// `astro dev` (drafts are shown only there), or a second `astro preview` of the same build with the settings a fresh
// clone has (.dev.vars.example). It listens on EXTRA_PORT, reads its settings from .dev.vars.extra-<name> (through
// CLOUDFLARE_ENV and the process environment, as the suite's preview reads its settings), keeps its local D1 in its own folder, and is stopped
// (its whole process group) and its settings file deleted when the test file ends.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { EXTRA_PORT } from "@tests/support/test-env";

export const EXTRA_URL = `http://localhost:${EXTRA_PORT}`;

export interface ExtraServer { url: string; output: () => string; stop: () => Promise<void> }

/** The settings of a .dev.vars-style file (KEY=value lines; comments and blank lines skipped; quotes removed). */
export function readVarsFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const pair = /^\s*([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (pair) vars[pair[1]!] = pair[2]!.trim().replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

/** Starts `astro <mode>` with `vars` as its Worker settings and waits until `/` answers. */
export async function startExtraServer(name: string, mode: "dev" | "preview", vars: Record<string, string>, timeoutMs = 150_000): Promise<ExtraServer> {
  const varsFile = `.dev.vars.extra-${name}`;
  writeFileSync(varsFile, Object.entries(vars).map(([key, value]) => `${key}=${JSON.stringify(value)}\n`).join(""));
  const command = mode === "preview" ? "rm -f dist/server/.dev.vars && npx astro preview" : "npx astro dev";
  const child: ChildProcess = spawn(`${command} --ignore-lock --port ${EXTRA_PORT}`, {
    shell: true,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // As the suite's preview does (playwright.config.ts): the settings both in the env's .dev.vars file and in
    // the process environment, which the adapter passes on to the Worker.
    env: { ...process.env, ...vars, CLOUDFLARE_ENV: `extra-${name}`, CLOUDFLARE_INCLUDE_PROCESS_ENV: "true", SMALLISM_STATE_DIR: `.wrangler/test-state-extra-${EXTRA_PORT}` },
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    rmSync(varsFile, { force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`astro ${mode} exited (${child.exitCode}) before answering:\n${log}`);
    }
    try {
      if ((await fetch(`${EXTRA_URL}/`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`astro ${mode} did not answer on ${EXTRA_URL} within ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url: EXTRA_URL, output: () => log, stop };
}
