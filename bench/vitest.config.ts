// `npm run bench` runs bench/worker-cpu.test.ts with this config: inside workerd (@cloudflare/vitest-plugin) with a
// real local D1 and the real migrations, set up exactly as the `worker` test project in vitest.config.ts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { aliases } from "../tests/support/aliases";

const root = fileURLToPath(new URL("..", import.meta.url));
const migrations = await readD1Migrations(fileURLToPath(new URL("../migrations", import.meta.url)));

export default defineConfig({
  root,
  resolve: { alias: aliases },
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      main: "./tests/worker/test-entry.ts",
      miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
    }),
  ],
  test: {
    name: "bench-worker-cpu",
    include: ["bench/worker-cpu.test.ts"],
    setupFiles: ["tests/worker/apply-migrations.ts"],
    testTimeout: 180_000,
  },
});
