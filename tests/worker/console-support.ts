// Helpers for the console's worker tests (tests/worker/console-*.test.ts): members, donations and monthly donations
// written straight into D1 with chosen times, names and notes, a staff actor, and the audit rows an action wrote.
import { env } from "cloudflare:workers";
import type { Actor } from "@functions/staff/audit";
import type { StaffRole } from "@functions/staff/access";
import { hashPassword } from "@functions/auth/passwords";
import { PASSWORD, uniqueEmail } from "./support";

/** A member row with the given fields (defaults: unverified, no name, a fresh address). */
export async function seedMember(options: { email?: string; name?: string | null; createdAt: number; verifiedAt?: number | null; id?: string; passwordHash?: string }): Promise<{ id: string; email: string }> {
  const id = options.id ?? crypto.randomUUID();
  const email = options.email ?? uniqueEmail("c");
  await env.DB.prepare("INSERT INTO users (id, email, display_name, password_hash, email_verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
    .bind(id, email, options.name ?? null, options.passwordHash ?? "x", options.verifiedAt ?? null, options.createdAt).run();
  return { id, email };
}

/** A donation row (paid, GBP, one-off unless told). */
export async function seedDonation(options: {
  createdAt: number; amount?: number; userId?: string | null; email?: string | null; frequency?: "once" | "monthly";
  status?: "paid" | "partially_refunded" | "refunded"; amountRefunded?: number; refundedAt?: number | null; note?: string | null; currency?: string; id?: string;
}): Promise<string> {
  const id = options.id ?? `don_${crypto.randomUUID()}`;
  await env.DB.prepare(
    `INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, amount_refunded, note, created_at, refunded_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
  ).bind(
    id, options.userId ?? null, options.email ?? null, options.amount ?? 1000, options.currency ?? "gbp", options.frequency ?? "once", options.status ?? "paid",
    options.amountRefunded ?? 0, options.note ?? null, options.createdAt, options.refundedAt ?? null,
  ).run();
  return id;
}

/** An active (or cancelled) monthly donation. */
export async function seedSubscription(options: { userId?: string | null; customerId: string; amount: number; createdAt: number; status?: "active" | "canceled"; currency?: string }): Promise<void> {
  await env.DB.prepare("INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at) VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7)")
    .bind(`sub_${crypto.randomUUID()}`, options.userId ?? null, options.customerId, options.amount, options.currency ?? "gbp", options.status ?? "active", options.createdAt).run();
}

/** A verified staff member with PASSWORD and `role`, and the actor their console requests act as. */
export async function seedStaff(role: StaffRole, createdAt: number): Promise<Actor & { role: StaffRole; email: string }> {
  const member = await seedMember({ createdAt, verifiedAt: createdAt, passwordHash: await hashPassword(PASSWORD) });
  await env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, ?2, ?3, 'cli')").bind(member.id, role, createdAt).run();
  return { userId: member.id, role, net: "test-net", email: member.email };
}

/** The audit rows `actorId` has written, oldest first. */
export async function auditRows(actorId: string): Promise<Array<{ action: string; target_id: string | null; detail: string | null; actor_role: string }>> {
  const { results } = await env.DB.prepare("SELECT action, target_id, detail, actor_role FROM audit_log WHERE actor_id = ?1 ORDER BY id").bind(actorId).all();
  return results as Array<{ action: string; target_id: string | null; detail: string | null; actor_role: string }>;
}
