// Staff members for the console's browser and HTTP tests: a verified member made staff with the real script
// (`npm run staff -- grant`, against the suite's local D1), signed in, and enrolled in TOTP through /admin/enrol with
// a code computed from the secret the page shows, as an authenticator app would. The session they return has passed
// the second factor; `freshSession` signs in again for one that has not.
import { execFileSync } from "node:child_process";
import { expect, type APIRequestContext } from "@playwright/test";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm, sessionCookieSet } from "./http";
import { signInHttp, verifiedMember, type Member } from "./members";
import { STATE_DIR } from "@tests/support/test-env";
import { totpCode } from "@functions/staff/second-factor";
import type { StaffRole } from "@functions/staff/access";

export interface StaffMember extends Member { role: StaffRole; key: Uint8Array; recoveryCodes: string[] }

/**
 * Runs `npm run staff -- ARGS` against the suite's D1 and returns what it printed (stdout and stderr). The running
 * preview holds the same SQLite file open, so a write can meet SQLITE_BUSY on a loaded machine: that is retried.
 */
export function staffScript(...args: string[]): { status: number; output: string } {
  for (let attempt = 1; ; attempt++) {
    try {
      const output = execFileSync("node", ["scripts/staff.mjs", ...args, "--persist-to", STATE_DIR], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return { status: 0, output };
    } catch (error) {
      const failed = error as { status: number; stdout: string; stderr: string };
      const output = `${failed.stdout}${failed.stderr}`;
      if (attempt < 4 && /SQLITE_BUSY|database is locked/i.test(output)) continue;
      return { status: failed.status, output };
    }
  }
}

/** The TOTP secret /admin/enrol shows as text, decoded. */
export function secretFromEnrolPage(html: string): Uint8Array {
  const text = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1];
  expect(text, "the enrol page shows the secret as text").toBeDefined();
  return decodeBase32IgnorePadding(text!.replace(/ /g, ""));
}

/** A new session for `member` (signed in again), which has not passed the second factor. */
export async function freshSession(request: APIRequestContext, member: Member): Promise<string> {
  const response = await signInHttp(request, member.email, member.password, { ip: uniqueIp() });
  expect(response.status()).toBe(303);
  return sessionCookieSet(response)!.value;
}

/** A staff member with `role`, enrolled, whose token has passed the second factor. */
export async function staffMember(request: APIRequestContext, role: StaffRole): Promise<StaffMember> {
  const member = await verifiedMember(request, uniqueEmail(`staff-${role}`));
  const granted = staffScript("grant", member.email, role);
  expect(granted.status, granted.output).toBe(0);
  const caller = { ip: member.ip, token: member.token };
  const enrol = await get(request, "/admin/enrol", caller);
  expect(enrol.status()).toBe(200);
  const key = secretFromEnrolPage(await enrol.text());
  const confirmed = await postForm(request, "/admin/enrol", caller, { code: totpCode(key, Math.floor(Date.now() / 1000)), next: "/admin" });
  expect(confirmed.status()).toBe(200);
  const recoveryCodes = [...(await confirmed.text()).matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((match) => match[1]!);
  expect(recoveryCodes).toHaveLength(10);
  return { ...member, role, key, recoveryCodes };
}
