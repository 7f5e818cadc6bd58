// First-run setup for `npm run dev` and `npm run preview`: creates .dev.vars from .dev.vars.example when it is
// missing, and gives it a random HASH_SECRET (the throttles' HMAC key) when it has none, so no two checkouts share one.
// (Local D1 migrations are applied by the npm script right after this.)
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local defaults: dev mailbox on, no Stripe keys).");
}
const vars = readFileSync(".dev.vars", "utf8");
if (!/^HASH_SECRET=\S{16,}/m.test(vars)) {
  const line = `HASH_SECRET=${randomBytes(32).toString("hex")}`;
  writeFileSync(".dev.vars", /^HASH_SECRET=.*$/m.test(vars) ? vars.replace(/^HASH_SECRET=.*$/m, line) : `${vars.trimEnd()}\n${line}\n`);
  console.log("Generated a local HASH_SECRET in .dev.vars.");
}
