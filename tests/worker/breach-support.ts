// Helpers for tests that set passwords: where the Have I Been Pwned stand-in is (started by
// stand-ins.setup.ts), telling it a password is breached, and reading what it was asked.
import { inject } from "vitest";
import type { BreachCheck } from "@functions/auth/breached-passwords";

const STAND_IN = inject("pwnedStandIn");

/** The breach check every test uses unless it wants the service slow, down or garbled. */
export const BREACHES: BreachCheck = { apiBase: STAND_IN };
/** The same service answering never, with 503, or with a page that is not a range answer. */
export const HANGING_BREACHES: BreachCheck = { apiBase: `${STAND_IN}/hang` };
export const FAILING_BREACHES: BreachCheck = { apiBase: `${STAND_IN}/fail` };
export const GARBLED_BREACHES: BreachCheck = { apiBase: `${STAND_IN}/garbage` };

export interface RangeRequest { path: string; query: string; prefix: string; behaviour: string; headers: Record<string, string> }

/** The password's SHA-1, upper-case hex. */
export async function sha1(password: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(password)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** Makes the stand-in report `password` as seen `count` times in breaches. */
export async function markBreached(password: string, count: number): Promise<void> {
  const response = await fetch(`${STAND_IN}/__breached`, { method: "POST", body: JSON.stringify({ sha1: await sha1(password), count }) });
  if (!response.ok) throw new Error(`stand-in refused: ${await response.text()}`);
}

/** Every range request the stand-in has received (all test files share it). */
export async function rangeRequests(): Promise<RangeRequest[]> {
  return (await (await fetch(`${STAND_IN}/__requests`)).json()) as RangeRequest[];
}
