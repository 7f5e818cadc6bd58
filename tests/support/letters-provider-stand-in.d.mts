// Types for tests/support/letters-provider-stand-in.mjs (imported by the worker tests' global setup and the bench).
export interface LettersProviderStandIn {
  url: string;
  close(): Promise<void>;
}
/** Starts the stand-in on 127.0.0.1:`port` (0 = any free port). */
export function startLettersProviderStandIn(port: number, options?: { keepBodies?: boolean }): Promise<LettersProviderStandIn>;
