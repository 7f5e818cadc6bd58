#!/usr/bin/env bash
# `npm test`: every test the project has, in order of speed. Stops at the first failing stage.
#   1. type check (astro check)       2. unit tests (Node)       3. worker tests (workerd + real local D1)
#   4. production build + build checks (dist/: pages, feeds, links, sealing, byte budgets)
#   5. browser and HTTP tests (Playwright + Debian Chromium against `astro preview` and the Stripe and HIBP stand-ins)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

stage "chromium"; bash tests/ensure-chromium.sh
stage "astro check"; npx astro check --minimumSeverity warning
stage "unit + worker tests"; npx vitest run --project unit --project worker
# The browser tests' D1 state starts empty (its folder carries the port when E2E_SITE_PORT moves it: tests/support/test-env.ts).
stage "build"; rm -rf ".wrangler/test-state${E2E_SITE_PORT:+-$E2E_SITE_PORT}"; DEV_MAILBOX=1 npm run build
stage "build checks"; npx vitest run --project build
stage "browser + HTTP tests"; npx playwright test
stage "all passed"
