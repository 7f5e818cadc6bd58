// Global setup for the worker tests: starts the local Stripe stand-in (tests/support/stripe-stand-in.mjs) in Node
// on a free port and provides its URL to the tests (inject("stripeStandIn")), so the real stripe SDK inside workerd
// talks to it instead of Stripe, and parallel runs never collide on a port. Stops it afterwards.
import type { TestProject } from "vitest/node";
import { startStripeStandIn } from "@tests/support/stripe-stand-in.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    stripeStandIn: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = await startStripeStandIn(0);
  project.provide("stripeStandIn", standIn.url);
  return () => standIn.close();
}
