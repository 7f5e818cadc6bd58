// Vitest projects: `unit` (pure functions in Node), `worker` (functions/ inside workerd against a real local
// D1 with the real migrations, via @cloudflare/vitest-plugin) and `build` (checks over dist/ after a build).
// The worker project takes the Worker's configuration (compatibility date and flags, D1, vars) from wrangler.toml,
// all but its entry: `main` there is Astro's built handler, so the tests run in tests/worker/test-entry.ts.
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { aliases } from "./tests/support/aliases";

const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias: aliases }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      { resolve: { alias: aliases }, test: { name: "build", include: ["tests/build/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias: aliases },
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            main: "./tests/worker/test-entry.ts",
            miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
          }),
        ],
        test: { name: "worker", include: ["tests/worker/**/*.test.ts"], setupFiles: ["tests/worker/apply-migrations.ts"], globalSetup: ["tests/worker/stripe-stand-in.setup.ts"], testTimeout: 30_000 },
      },
    ],
  },
});
