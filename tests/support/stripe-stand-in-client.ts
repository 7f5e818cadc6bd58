// What the Stripe stand-in (tests/support/stripe-stand-in.mjs) recorded, for the worker tests (inside workerd) and the
// browser tests alike: every API request it received, with its form body and the status it answered.

/** One API request the stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  form: Record<string, string>;
  /** The stand-in's answer (null while the request is still running). */
  status: number | null;
}

/** Every API request the stand-in at `base` has received (all tests share it: filter by something unique). */
export async function recordedRequests(base: string): Promise<RecordedRequest[]> {
  return (await (await fetch(`${base}/__requests`)).json()) as RecordedRequest[];
}
