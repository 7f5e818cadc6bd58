// Types for tests/support/stripe-stand-in.mjs (imported by the worker tests' global setup).
export interface StripeStandIn {
  url: string;
  close(): Promise<void>;
}
/** Starts the stand-in on 127.0.0.1:`port`. */
export function startStripeStandIn(port: number): Promise<StripeStandIn>;
