// Who on the staff may do what: the one rule for every staff permission (as decideAccess in functions/access.ts is for
// pages). Roles (brief §8): an owner may do everything and manages staff; an admin runs members, donations, wards and the
// audit log; an editor sees aggregate figures only, never a member's email, and writes letters to the essays topic
// (functions/letters/access.ts decides the audiences). Console pages and endpoints ask
// decideStaffAccess for their action; console-guard.ts adds the sign-in and second-factor steps in front of it.

/** The site roles beside the default member. */
export const STAFF_ROLES = ["owner", "admin", "editor"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type SiteRole = "member" | StaffRole;

/** Everything the console does, each a permission of its own. */
export const STAFF_ACTIONS = [
  "overview.view",
  "members.count",
  "members.list",
  "members.view",
  "members.resend-verification",
  "members.end-sessions",
  "members.delete",
  "members.export",
  "donations.view",
  "donations.export",
  "audit.view",
  "staff.view",
  "staff.manage",
  "wards.view",
  "wards.manage",
  "wards.organisers",
  "wards.proposals",
  "letters.view",
  "letters.write",
  "letters.donors",
] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

const EDITOR: ReadonlySet<StaffAction> = new Set(["overview.view", "members.count", "letters.view", "letters.write"]);
const ADMIN: ReadonlySet<StaffAction> = new Set(STAFF_ACTIONS.filter((action) => action !== "staff.manage"));

/** True when `role` may take `action`; members may take none. */
export function decideStaffAccess(role: SiteRole, action: StaffAction): boolean {
  switch (role) {
    case "owner":
      return true;
    case "admin":
      return ADMIN.has(action);
    case "editor":
      return EDITOR.has(action);
    default:
      return false;
  }
}

/** True for the staff roles (owner, admin, editor). */
export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
