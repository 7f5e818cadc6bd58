// Global setup for the worker tests: starts the local Stripe stand-in (tests/support/stripe-stand-in.mjs) in Node
// on its own port, so the real stripe SDK inside workerd talks to it instead of Stripe. Stops it afterwards.
import { startStripeStandIn } from "../support/stripe-stand-in.mjs";
import { WORKER_STAND_IN_PORT } from "./stripe-stand-in-port";

export default async function setup(): Promise<() => Promise<void>> {
  const standIn = await startStripeStandIn(WORKER_STAND_IN_PORT);
  return () => standIn.close();
}
