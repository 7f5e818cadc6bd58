// Staff's ward work in /admin/wards: creating and editing wards (name, area, districts, status, founding threshold)
// and appointing or removing organisers (who must already be members of the ward). Each change is one db.batch()
// with its audit row.
import type { FieldErrors, Outcome } from "@functions/auth/account";
import { normaliseEmail } from "@functions/auth/users";
import { auditStatement, type Actor } from "@functions/staff/audit";
import { field } from "@functions/http/forms";
import { parseDistrictList } from "./postcode";
import type { WardStatus } from "./wards";

/** A new forming ward's founding threshold unless staff set another. */
export const DEFAULT_FOUNDING_THRESHOLD = 20;
export const WARD_NAME_MAX = 80;
export const WARD_AREA_MAX = 300;

export interface WardInput { name: string; area: string; status: WardStatus; foundingThreshold: number; districts: string[] }

/** Reads and checks the ward form. */
export function readWardForm(fields: URLSearchParams): { ok: true; input: WardInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = field(fields, "name").trim();
  const area = field(fields, "area").trim();
  if (name === "") errors.name = "Give the ward a name.";
  else if (name.length > WARD_NAME_MAX) errors.name = `Keep the name to ${WARD_NAME_MAX} characters.`;
  if (area === "") errors.area = "Describe the area in words.";
  else if (area.length > WARD_AREA_MAX) errors.area = `Keep the area to ${WARD_AREA_MAX} characters.`;
  const status = field(fields, "status");
  if (status !== "forming" && status !== "active") errors.status = "Choose forming or active.";
  const thresholdText = field(fields, "foundingThreshold").trim();
  const threshold = /^\d{1,6}$/.test(thresholdText) ? Number(thresholdText) : NaN;
  if (!(threshold >= 1 && threshold <= 100000)) errors.foundingThreshold = "The founding threshold is a number of members from 1 to 100000.";
  const districts = parseDistrictList(field(fields, "districts"));
  if (!districts.ok) errors.districts = districts.message;
  if (Object.keys(errors).length > 0 || !districts.ok) return { ok: false, errors };
  return { ok: true, input: { name, area, status: status as WardStatus, foundingThreshold: threshold, districts: districts.districts } };
}

/** Paths under /wards/ that are pages of their own, never a ward's slug. */
const RESERVED_SLUGS = new Set(["mine", "propose"]);

/** A URL slug for `name` that no ward has yet ("Hyde Park" → hyde-park, then hyde-park-2…). */
export async function slugFor(db: D1Database, name: string): Promise<string> {
  const words = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "ward";
  const base = RESERVED_SLUGS.has(words) ? `${words}-ward` : words;
  const { results } = await db.prepare("SELECT slug FROM wards WHERE slug = ?1 OR slug LIKE ?2").bind(base, `${base}-%`).all<{ slug: string }>();
  const taken = new Set(results.map((row) => row.slug));
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

/** Statements that write a ward and replace its districts (`insert`: a new ward). */
export function wardStatements(db: D1Database, id: string, slug: string, input: WardInput, now: number, insert: boolean): D1PreparedStatement[] {
  const write = insert
    ? db.prepare("INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)")
      .bind(id, slug, input.name, input.area, input.status, input.foundingThreshold, now)
    : db.prepare("UPDATE wards SET name = ?2, area = ?3, status = ?4, founding_threshold = ?5, updated_at = ?6 WHERE id = ?1")
      .bind(id, input.name, input.area, input.status, input.foundingThreshold, now);
  return [
    write,
    db.prepare("DELETE FROM ward_districts WHERE ward_id = ?1").bind(id),
    ...input.districts.map((district) => db.prepare("INSERT INTO ward_districts (district, ward_id) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM wards WHERE id = ?2)").bind(district, id)),
  ];
}

/** Creates a ward; returns its slug. */
export async function createWard(db: D1Database, actor: Actor, input: WardInput, now: number): Promise<string> {
  const id = crypto.randomUUID();
  const slug = await slugFor(db, input.name);
  await db.batch([...wardStatements(db, id, slug, input, now, true), auditStatement(db, actor, "wards.create", id, now, { districts: input.districts.length })]);
  return slug;
}

/** Edits a ward (its slug stays, so links keep working). */
export async function updateWard(db: D1Database, actor: Actor, wardId: string, input: WardInput, now: number): Promise<void> {
  await db.batch([...wardStatements(db, wardId, "", input, now, false), auditStatement(db, actor, "wards.edit", wardId, now, { districts: input.districts.length })]);
}

/** Appoints the member with `email` organiser of `wardId`; they must be its member already. */
export async function appointOrganiser(db: D1Database, actor: Actor, wardId: string, email: string, now: number): Promise<Outcome<object>> {
  const member = await db
    .prepare("SELECT u.id FROM users u JOIN ward_members m ON m.user_id = u.id AND m.ward_id = ?2 WHERE u.email = ?1 AND u.email_verified_at IS NOT NULL")
    .bind(normaliseEmail(email), wardId)
    .first<{ id: string }>();
  if (member === null) return { ok: false, errors: { email: "No verified member of this ward has that email address. They must join the ward first." } };
  await db.batch([
    db.prepare(`INSERT INTO ward_organisers (user_id, ward_id, appointed_at, appointed_by) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (user_id) DO UPDATE SET ward_id = excluded.ward_id, appointed_at = excluded.appointed_at, appointed_by = excluded.appointed_by`)
      .bind(member.id, wardId, now, actor.userId),
    auditStatement(db, actor, "wards.organiser.appoint", member.id, now, { ward: wardId }),
  ]);
  return { ok: true };
}

/** Ends the organiser role of `userId` on `wardId`. */
export async function removeOrganiser(db: D1Database, actor: Actor, wardId: string, userId: string, now: number): Promise<boolean> {
  const [removed] = await db.batch([
    db.prepare("DELETE FROM ward_organisers WHERE user_id = ?1 AND ward_id = ?2").bind(userId, wardId),
    auditStatement(db, actor, "wards.organiser.remove", userId, now, { ward: wardId }, true),
  ]);
  return removed!.meta.changes === 1;
}

/** The organisers of `wardId` (id, display name) for the staff page. */
export async function listOrganisers(db: D1Database, wardId: string): Promise<Array<{ userId: string; displayName: string }>> {
  const { results } = await db.prepare("SELECT o.user_id, COALESCE(u.display_name, u.email) AS name FROM ward_organisers o JOIN users u ON u.id = o.user_id WHERE o.ward_id = ?1 ORDER BY o.appointed_at")
    .bind(wardId).all<{ user_id: string; name: string }>();
  return results.map((row) => ({ userId: row.user_id, displayName: row.name }));
}
