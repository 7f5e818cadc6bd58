// Wards for the browser and HTTP tests, made through the real pages: staff create wards in /admin/wards, members
// join on the ward's page, staff appoint organisers, organisers create meetings on their page.
import { expect, type APIRequestContext } from "@playwright/test";
import { uniqueEmail } from "./fixtures";
import { get, postForm, type Caller } from "./http";
import { verifiedMember, type Member } from "./members";
import type { StaffMember } from "./staff";

export const callerOf = (member: Member): Caller => ({ ip: member.ip, token: member.token });

/** A postcode district no sample ward uses, different in every call (ZE1..ZE99 with a letter: ZE12, then W1A-style). */
export function uniqueDistrict(): string {
  const n = crypto.getRandomValues(new Uint8Array(2));
  return `Z${"ABCDEFGH"[n[0]! % 8]}${1 + (n[1]! % 99)}`;
}

/** Creates a ward through /admin/wards; returns its slug and id (read back from the edit page). */
export async function createWard(request: APIRequestContext, staff: StaffMember, name: string, districts: string, status = "forming"): Promise<{ slug: string; id: string }> {
  const response = await postForm(request, "/admin/wards", callerOf(staff), { action: "create", name, area: `The streets around ${name}`, districts, status, foundingThreshold: "20" });
  expect(response.status(), await response.text()).toBe(303);
  const slug = new URL(response.headers().location!, "http://x").searchParams.get("edit")!;
  const page = await (await get(request, `/admin/wards?edit=${slug}`, callerOf(staff))).text();
  const id = /name="ward" value="([0-9a-f-]{36})"/.exec(page)![1]!;
  return { slug, id };
}

/** A verified member with a display name who joined ward `slug` (with the given consents). */
export async function wardMember(request: APIRequestContext, slug: string, displayName: string, consents: { listed?: boolean; shareEmail?: boolean } = {}): Promise<Member> {
  const member = await verifiedMember(request, uniqueEmail("ward"));
  expect((await postForm(request, "/account", callerOf(member), { action: "name", displayName })).status()).toBe(303);
  const fields: Record<string, string> = { action: "join" };
  if (consents.listed) fields.listed = "yes";
  if (consents.shareEmail) fields.shareEmail = "yes";
  const joined = await postForm(request, `/wards/${slug}/`, callerOf(member), fields);
  expect(joined.status()).toBe(303);
  expect(joined.headers().location).toMatch(/done=(joined|moved)/);
  return member;
}

/** Appoints `member` organiser of the ward `wardId` through /admin/wards. */
export async function appoint(request: APIRequestContext, staff: StaffMember, wardId: string, member: Member): Promise<void> {
  const response = await postForm(request, "/admin/wards", callerOf(staff), { action: "appoint", ward: wardId, email: member.email });
  expect(response.status(), await response.text()).toBe(303);
}

/** The meeting form's fields for a meeting `days` from now at 19:00–21:00 London time. */
export function meetingFields(title: string, options: { days?: number; capacity?: string; visibility?: "public" | "members" } = {}): Record<string, string> {
  const date = new Date(Date.now() + (options.days ?? 10) * 86400_000).toISOString().slice(0, 10);
  return { action: "create", title, date, start: "19:00", end: "21:00", place: "The community hall", capacity: options.capacity ?? "", visibility: options.visibility ?? "public", description: "All welcome." };
}

/** Creates a meeting as organiser; returns its id (read from the ward's organiser page). */
export async function createMeeting(request: APIRequestContext, organiser: Member, slug: string, fields: Record<string, string>): Promise<string> {
  const response = await postForm(request, `/wards/${slug}/organise`, callerOf(organiser), fields);
  expect(response.status(), await response.text()).toBe(303);
  const page = await (await get(request, `/wards/${slug}/organise`, callerOf(organiser))).text();
  const id = new RegExp(`${fields.title}[\\s\\S]*?\\?rsvps=([0-9a-f-]{36})`).exec(page)?.[1];
  expect(id, `meeting ${fields.title} listed`).toBeDefined();
  return id!;
}
