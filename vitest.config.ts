// Vitest projects: `unit` (pure functions in Node), `worker` (functions/ inside workerd against a real local
// D1 with the real migrations, via @cloudflare/vitest-plugin: tests/support/worker-pool.ts) and `build` (checks
// over dist/ after a build).
import { defineConfig } from "vitest/config";
import { aliases } from "./tests/support/aliases";
import { workerPool } from "./tests/support/worker-pool";

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias: aliases }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      { resolve: { alias: aliases }, test: { name: "build", include: ["tests/build/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias: aliases },
        plugins: [await workerPool()],
        test: { name: "worker", include: ["tests/worker/**/*.test.ts"], setupFiles: ["tests/worker/apply-migrations.ts"], globalSetup: ["tests/worker/stripe-stand-in.setup.ts"], testTimeout: 30_000 },
      },
    ],
  },
});
