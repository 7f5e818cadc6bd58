// Glue between the console pages (src/pages/admin/) and the console's rules (functions/staff/): runs the gate
// (console-guard.ts) for a page's action and turns its decision into a redirect or a 403, or gives the page what it
// needs to act: D1, the throttle store and the actor for audit rows. Every console page starts with it.
import type { AstroGlobal } from "astro";
import { decideConsoleAccess } from "@functions/staff/console-guard";
import { secondFactorState } from "@functions/staff/second-factor";
import type { StaffAction, StaffRole } from "@functions/staff/access";
import type { Actor } from "@functions/staff/audit";
import type { ThrottleStore } from "@functions/auth/throttle";
import { networkTag } from "@functions/http/client-ip";
import { discardBody } from "@functions/http/request-body";
import { getDb, getThrottleStore } from "./runtime";

export interface ConsoleContext { db: D1Database; store: ThrottleStore; actor: Actor & { role: StaffRole }; sessionId: string }

/** The actor for audit rows: the signed-in staff member, their role and their network's tag. */
export function actorFor(astro: AstroGlobal, role: StaffRole, secret: string): Actor & { role: StaffRole } {
  return { userId: astro.locals.user!.id, role, net: networkTag(secret, astro.request) };
}

/**
 * Lets the request through to a console page for `action`, or answers for it: a visitor is sent to sign in (and back
 * here after), a member or a staff member whose role lacks the action sees the 403 page, and a staff session that has
 * not passed the second factor is sent to enrol or to enter a code.
 */
export async function openConsole(astro: AstroGlobal, action: StaffAction): Promise<ConsoleContext | Response> {
  const { user, session } = astro.locals;
  const db = getDb();
  const decision = await decideConsoleAccess({ user, session }, action, () => secondFactorState(db, user!.id));
  const here = `${astro.url.pathname}${astro.url.search}`;
  // A refused form post is answered without reading it; drain its body as the Origin check does, or the connection
  // it came on is left mid-request (the local preview's proxy then fails the next request on it). The 403 page drains
  // its own: Astro hands the unread body on to the page a request is rewritten to, and refuses a used one.
  if (decision.kind !== "allow" && decision.kind !== "forbidden") await discardBody(astro.request);
  switch (decision.kind) {
    case "sign-in":
      return astro.redirect(`/login?next=${encodeURIComponent(here)}`, 303);
    case "forbidden":
      return astro.rewrite("/admin/forbidden");
    case "enrol":
      return astro.redirect(`/admin/enrol?next=${encodeURIComponent(here)}`, 303);
    case "second-factor":
      return astro.redirect(`/admin/second-factor?next=${encodeURIComponent(here)}`, 303);
    default: {
      const store = getThrottleStore();
      return { db, store, actor: actorFor(astro, decision.role, store.secret), sessionId: session!.id };
    }
  }
}
