// Global setup for the worker tests: starts the local stand-ins for the services the Worker calls, in Node on free
// ports, and provides their URLs to the tests, so parallel runs never collide on a port: Stripe
// (tests/support/stripe-stand-in.mjs, inject("stripeStandIn")), which the real stripe SDK inside workerd talks to,
// and Have I Been Pwned (tests/support/pwned-passwords-stand-in.mjs, inject("pwnedStandIn")), which every password
// check goes to, and the letters provider (tests/support/letters-provider-stand-in.mjs, inject("lettersStandIn"): SES
// and the SNS topic of its events). Stops them afterwards.
import type { TestProject } from "vitest/node";
import { startStripeStandIn } from "@tests/support/stripe-stand-in.mjs";
import { startPwnedPasswordsStandIn } from "@tests/support/pwned-passwords-stand-in.mjs";
import { startLettersProviderStandIn } from "@tests/support/letters-provider-stand-in.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    stripeStandIn: string;
    pwnedStandIn: string;
    lettersStandIn: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [stripe, pwned, letters] = await Promise.all([startStripeStandIn(0), startPwnedPasswordsStandIn(0), startLettersProviderStandIn(0)]);
  project.provide("stripeStandIn", stripe.url);
  project.provide("pwnedStandIn", pwned.url);
  project.provide("lettersStandIn", letters.url);
  return async () => {
    await Promise.all([stripe.close(), pwned.close(), letters.close()]);
  };
}
