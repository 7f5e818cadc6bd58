// The gate in front of every console page and endpoint (src/pages/admin/): who is asking, may their role take this
// action (decideStaffAccess), and has this session passed the second factor. Decided before any query for member
// data: visitors are sent to sign in, members and staff whose role lacks the action get 403, and staff whose session
// has not passed the second factor are sent to enrol an authenticator or to enter a code.
import { decideStaffAccess, isStaffRole, type SiteRole, type StaffAction, type StaffRole } from "./access";
import type { SecondFactorState } from "./second-factor";

export interface ConsoleReader {
  user: { role: SiteRole; emailVerified: boolean } | null;
  session: { secondFactorAt: number | null } | null;
}

export type ConsoleDecision =
  | { kind: "sign-in" }
  | { kind: "forbidden" }
  | { kind: "enrol" }
  | { kind: "second-factor" }
  | { kind: "allow"; role: StaffRole };

/**
 * What the console does with `reader` asking for `action`. `factor` is looked up only when the session has not
 * passed the second factor (it is a query), so it is a function.
 */
export async function decideConsoleAccess(reader: ConsoleReader, action: StaffAction, factor: () => Promise<SecondFactorState>): Promise<ConsoleDecision> {
  if (reader.user === null || reader.session === null) return { kind: "sign-in" };
  const role = reader.user.role;
  if (!isStaffRole(role) || !reader.user.emailVerified || !decideStaffAccess(role, action)) return { kind: "forbidden" };
  if (reader.session.secondFactorAt !== null) return { kind: "allow", role };
  return (await factor()) === "enrolled" ? { kind: "second-factor" } : { kind: "enrol" };
}
