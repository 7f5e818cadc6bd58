// First-run setup for `npm run dev`: creates .dev.vars from .dev.vars.example when it is missing.
// (Local D1 migrations are applied by the npm script right after this.)
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local defaults: dev mailbox on, no Stripe keys).");
}
