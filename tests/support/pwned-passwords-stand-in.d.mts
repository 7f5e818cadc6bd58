// Types for tests/support/pwned-passwords-stand-in.mjs (imported by the worker tests' global setup).
export interface PwnedPasswordsStandIn {
  url: string;
  close(): Promise<void>;
}
/** Starts the stand-in on 127.0.0.1:`port` (0 = any free port). */
export function startPwnedPasswordsStandIn(port: number): Promise<PwnedPasswordsStandIn>;
