// `npm run bench` runs bench/worker-cpu.test.ts with this config: inside workerd with a real local D1 and the real
// migrations, in the same Workers pool as the `worker` test project (tests/support/worker-pool.ts).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { aliases } from "../tests/support/aliases";
import { workerPool } from "../tests/support/worker-pool";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: { alias: aliases },
  plugins: [await workerPool()],
  test: {
    name: "bench-worker-cpu",
    include: ["bench/worker-cpu.test.ts"],
    setupFiles: ["tests/worker/apply-migrations.ts"],
    testTimeout: 180_000,
  },
});
