// Finds the Chromium the browser tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium.
// tests/ensure-chromium.sh installs it beforehand where the run may (root + apt-get).
import { existsSync } from "node:fs";

/** Path of the Chromium executable, or a one-line instruction when there is none. */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!existsSync(candidate)) {
    throw new Error(`Chromium not found at ${candidate}: run "sudo apt-get install -y chromium" or set CHROMIUM_PATH.`);
  }
  return candidate;
}
