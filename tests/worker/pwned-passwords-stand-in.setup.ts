// Global setup for the worker tests: starts the local Have I Been Pwned stand-in
// (tests/support/pwned-passwords-stand-in.mjs) in Node on a free port and provides its URL to the tests
// (inject("pwnedStandIn")), so every password check inside workerd goes to it. Stops it afterwards.
import type { TestProject } from "vitest/node";
import { startPwnedPasswordsStandIn } from "@tests/support/pwned-passwords-stand-in.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    pwnedStandIn: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = await startPwnedPasswordsStandIn(0);
  project.provide("pwnedStandIn", standIn.url);
  return () => standIn.close();
}
