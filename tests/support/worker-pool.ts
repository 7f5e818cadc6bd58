// The Workers pool the worker tests (vitest.config.ts) and the server-time benchmark (bench/vitest.config.ts) run in:
// @cloudflare/vitest-plugin with the Worker's own configuration from wrangler.toml (compatibility date and flags, D1,
// vars), so those live in one place, and the real migrations as a binding (tests/worker/apply-migrations.ts applies
// them before each file). Only the entry differs from wrangler.toml: see tests/support/worker-entry.ts. HASH_SECRET and
// DEV_MAILBOX are set for the letters queue consumer, which miniflare's real queue runs in that entry (the tests pass
// their own secret to everything else).
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The vitest plugin that runs a project's tests inside workerd with a fresh local D1 per test file. */
export async function workerPool(): Promise<ReturnType<typeof cloudflareTest>> {
  const migrations = await readD1Migrations(`${root}migrations`);
  return cloudflareTest({
    wrangler: { configPath: `${root}wrangler.toml` },
    main: `${root}tests/support/worker-entry.ts`,
    miniflare: { bindings: { TEST_MIGRATIONS: migrations, HASH_SECRET: "worker-tests-hash-secret", DEV_MAILBOX: "1" } },
  });
}
