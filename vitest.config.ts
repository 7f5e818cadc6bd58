// Vitest projects: `unit` (pure functions in Node), `worker` (functions/ inside workerd against a real local
// D1 with the real migrations, via @cloudflare/vitest-plugin) and `build` (checks over dist/ after a build).
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { aliases } from "./tests/support/aliases";
import { commonPasswords } from "./src/integrations/common-passwords";

const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias: aliases }, plugins: [commonPasswords()], test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      { resolve: { alias: aliases }, test: { name: "build", include: ["tests/build/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias: aliases },
        plugins: [
          commonPasswords(),
          cloudflareTest({
            miniflare: {
              compatibilityDate: "2026-10-01",
              compatibilityFlags: ["nodejs_compat"],
              d1Databases: ["DB"],
              bindings: { TEST_MIGRATIONS: migrations },
            },
          }),
        ],
        test: { name: "worker", include: ["tests/worker/**/*.test.ts"], setupFiles: ["tests/worker/apply-migrations.ts"], globalSetup: ["tests/worker/stripe-stand-in.setup.ts", "tests/worker/pwned-passwords-stand-in.setup.ts"], testTimeout: 30_000 },
      },
    ],
  },
});
