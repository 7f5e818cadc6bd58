#!/usr/bin/env bash
# `npm test`: every test the project has, in order of speed. Stops at the first failing stage.
#   1. generated env types up to date (wrangler types --check), Chromium present, type check (astro check)
#   2. unit tests (Node) and 3. worker tests (workerd + real local D1), in one run that also measures coverage and
#      fails below its thresholds (vitest.config.ts)
#   4. production build + build checks (dist/: pages, feeds, links, sealing, byte budgets)
#   5. browser and HTTP tests (Playwright + Debian Chromium against `astro preview` and the Stripe and HIBP stand-ins)
#   6. dev-server tests (Playwright against `astro dev`, started as `npm run dev` starts it: playwright.dev.config.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

stage "env types"; npx wrangler types types/worker-configuration.d.ts --check || { echo "Run \`npm run types\` and commit the result."; exit 1; }
stage "chromium"; bash tests/ensure-chromium.sh
stage "astro check"; npx astro check --minimumSeverity warning
stage "unit + worker tests, coverage"; npm run test:coverage
# The browser tests' D1 state starts empty (its folder carries the port when E2E_SITE_PORT moves it: tests/support/test-env.ts).
stage "build"; rm -rf ".wrangler/test-state${E2E_SITE_PORT:+-$E2E_SITE_PORT}"; DEV_MAILBOX=1 npm run build
stage "build checks"; npx vitest run --project build
stage "browser + HTTP tests"; npx playwright test
stage "dev-server tests"; npm run test:dev
stage "all passed"
