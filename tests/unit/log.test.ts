// The site's one logger (functions/log.ts): one JSON line per event with level, type and event first, written to
// the console method of its level, and fields named like secrets never written whatever the caller passes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorMessage, logEvent, logger, runWithLogContext } from "@functions/log";

afterEach(() => vi.restoreAllMocks());

/** Captures what each console method is given while `work` runs. */
function captured(work: () => void): Record<"log" | "warn" | "error", string[]> {
  const lines = { log: [] as string[], warn: [] as string[], error: [] as string[] };
  for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((line: string) => void lines[method].push(line));
  work();
  return lines;
}

describe("logEvent", () => {
  it("writes one JSON line: level, type and event first, then the fields", () => {
    const lines = captured(() => logEvent("info", "auth", "signin", { userId: "u1", fresh: true, tries: 2, previous: null }));
    expect(lines.log).toEqual(['{"level":"info","type":"auth","event":"signin","userId":"u1","fresh":true,"tries":2,"previous":null}']);
  });

  it.each([["info", "log"], ["warn", "warn"], ["error", "error"]] as const)("level %s goes to console.%s only", (level, method) => {
    const lines = captured(() => logEvent(level, "donations", "x"));
    expect(lines[method]).toHaveLength(1);
    expect(Object.values(lines).flat()).toHaveLength(1);
    expect(JSON.parse(lines[method][0]!)).toEqual({ level, type: "donations", event: "x" });
  });

  it("never writes a field whose name says it holds a secret", () => {
    const secrets = { password: "hunter2hunter2", newPassword: "correct-horse", sessionToken: "t0k3n-session", token: "t0k3n-reset", webhookSecret: "whsec_x", code: "ABCD2345", email: "a@example.org", note: "private note" };
    const lines = captured(() => logEvent("warn", "security", "probe", { ...secrets, userId: "u1" }));
    const line = lines.warn[0]!;
    for (const value of Object.values(secrets)) expect(line).not.toContain(value);
    expect(JSON.parse(line)).toMatchObject({ password: "[redacted]", code: "[redacted]", email: "[redacted]", userId: "u1" });
  });
});

describe("logger", () => {
  it("binds the type for every level", () => {
    const lines = captured(() => {
      const log = logger("housekeeping");
      log.info("a");
      log.warn("b");
      log.error("c", { sessions: 3 });
    });
    expect([...lines.log, ...lines.warn, ...lines.error].map((line) => JSON.parse(line))).toEqual([
      { level: "info", type: "housekeeping", event: "a" },
      { level: "warn", type: "housekeeping", event: "b" },
      { level: "error", type: "housekeeping", event: "c", sessions: 3 },
    ]);
  });
});

describe("errorMessage", () => {
  it("is the message of an Error, cut to the limit, and 'unknown' for anything else", () => {
    expect(errorMessage(new Error("D1_ERROR: timeout"))).toBe("D1_ERROR: timeout");
    expect(errorMessage(new Error("x".repeat(500)), 200)).toHaveLength(200);
    expect(errorMessage("a string")).toBe("unknown");
  });
});

describe("runWithLogContext", () => {
  it("adds the request's network tag to auth and security lines written inside it, across awaits, and only there", async () => {
    const lines = { log: [] as string[], warn: [] as string[], error: [] as string[] };
    for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((line: string) => void lines[method].push(line));
    await runWithLogContext({ net: () => "a1b2c3d4e5f60718" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger("auth").info("signin.failed", { userId: "u1" });
      logger("security").warn("throttle.refused", { rules: "signin:ip" });
      logger("donations").info("checkout.created");
    });
    logger("auth").info("outside");
    expect(lines.log).toEqual([
      '{"level":"info","type":"auth","event":"signin.failed","net":"a1b2c3d4e5f60718","userId":"u1"}',
      '{"level":"info","type":"donations","event":"checkout.created"}',
      '{"level":"info","type":"auth","event":"outside"}',
    ]);
    expect(lines.warn).toEqual(['{"level":"warn","type":"security","event":"throttle.refused","net":"a1b2c3d4e5f60718","rules":"signin:ip"}']);
  });

  it("works the tag out only when an auth or security line is written", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    let asked = 0;
    const net = () => { asked++; return "a1b2c3d4e5f60718"; };
    await runWithLogContext({ net }, async () => logger("donations").info("checkout.created"));
    expect(asked).toBe(0);
    await runWithLogContext({ net }, async () => logger("auth").info("signin"));
    expect(asked).toBe(1);
  });
});
