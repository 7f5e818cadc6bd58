// Types for the worker tests. They read bindings one way, `import { env } from "cloudflare:workers"` (the import
// @cloudflare/vitest-plugin documents; its `cloudflare:test` `env` is deprecated), and take only test helpers such as
// applyD1Migrations from `cloudflare:test`, typed by the reference below. TEST_MIGRATIONS is the binding
// vitest.config.ts adds for tests/worker/apply-migrations.ts.
/// <reference types="@cloudflare/vitest-plugin/types" />

declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
