// Wards in the browser against the built site: a visitor finds a ward by postcode, creates an account from its
// page, comes back to join it, RSVPs, downloads the meeting's .ics (parsed back by ical.js), and leaves; an organiser
// creates a meeting on the organisers' page and members see it. Axe checks the finder and the ward page.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import { test, expect, uniqueEmail, submitJoinForm, submitCode } from "./fixtures";
import { latestCode } from "./mailbox";
import { SESSION_COOKIE } from "./http";
import { SITE_URL } from "@tests/support/test-env";
import { expectNoAxeViolations } from "./axe";
import { staffMember } from "./staff";
import { appoint, createMeeting, createWard, meetingFields, uniqueDistrict, wardMember } from "./wards-support";

test("a visitor finds a ward by postcode, joins it, RSVPs, downloads the .ics and leaves", async ({ page, request }) => {
  test.setTimeout(120_000);
  const staff = await staffMember(request, "admin");
  const district = uniqueDistrict();
  const name = `Browser Ward ${crypto.randomUUID().slice(0, 6)}`;
  const ward = await createWard(request, staff, name, district);
  const organiser = await wardMember(request, ward.slug, "Ola Organiser");
  await appoint(request, staff, ward.id, organiser);
  const title = `First meeting ${crypto.randomUUID().slice(0, 4)}`;
  await createMeeting(request, organiser, ward.slug, meetingFields(title, { capacity: "12", days: 12 }));

  await page.goto("/wards/");
  await expectNoAxeViolations(page);
  await page.getByRole("textbox", { name: "Postcode" }).fill(`${district.toLowerCase()}  9zz`);
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByRole("heading", { name: `Wards covering ${district}` })).toBeVisible();
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("fewer than 5 of 20 neighbours")).toBeVisible();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expectNoAxeViolations(page);

  const email = uniqueEmail("ward-browser");
  await page.getByRole("link", { name: "Create an account to join" }).click();
  await submitJoinForm(page, email, "a long enough pass phrase");
  await submitCode(page, await latestCode(request, email));
  await expect(page).toHaveURL(new RegExp(`/wards/${ward.slug}/$`));
  await page.getByLabel(/List my display name/).check();
  await page.getByRole("button", { name: "Join this ward" }).click();
  await expect(page.getByRole("status")).toHaveText(/you are now a member of this ward/);

  // Each meeting's buttons name their meeting for screen readers ("I'm going: First meeting"; the hidden part adds a space).
  const named = (label: string) => new RegExp(`^${label}\\s*: ${title}$`);
  await page.getByRole("button", { name: named("I'm going") }).click();
  await expect(page.getByRole("status")).toHaveText(/You are going/);
  await expect(page.getByText("You are going.", { exact: true })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: named("Add to calendar \\(\\.ics\\)") }).click();
  const file = await (await download).path();
  const event = new ICAL.Event(new ICAL.Component(ICAL.parse(readFileSync(file, "utf8"))).getFirstSubcomponent("vevent")!);
  expect(event.summary).toBe(`${title} (${name})`);
  const start = event.startDate.toJSDate();
  expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(start)).toBe("19:00");

  await page.getByRole("button", { name: named("I can't go after all") }).click();
  await expect(page.getByRole("status")).toHaveText(/You are not going/);
  await page.getByRole("button", { name: "Leave this ward" }).click();
  await expect(page.getByRole("status")).toHaveText(/You have left the ward/);
  await expect(page.getByRole("button", { name: "Join this ward" })).toBeVisible();

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Your ward" })).toBeVisible();
  await page.getByRole("link", { name: "Go to your ward" }).click();
  await expect(page.getByRole("heading", { name: "You have not joined a ward yet" })).toBeVisible();
});

test("an organiser creates a meeting on the organisers' page and it appears on the ward's page", async ({ page, request, context }) => {
  test.setTimeout(120_000);
  const staff = await staffMember(request, "admin");
  const ward = await createWard(request, staff, `Organised Ward ${crypto.randomUUID().slice(0, 6)}`, uniqueDistrict(), "active");
  const organiser = await wardMember(request, ward.slug, "Oscar Organiser");
  await appoint(request, staff, ward.id, organiser);
  await context.addCookies([{ name: SESSION_COOKIE, value: organiser.token, url: SITE_URL }]);

  await page.goto(`/wards/${ward.slug}/`);
  await page.getByRole("link", { name: "Meetings, notices and members" }).click();
  await expectNoAxeViolations(page);
  await page.getByLabel("Title", { exact: true }).fill("Spring planning");
  await page.getByLabel("Date").fill("2027-03-29");
  await page.getByLabel("Starts").fill("19:30");
  await page.getByLabel("Ends").fill("21:00");
  await page.getByLabel("Place", { exact: true }).fill("The library, Otley Road");
  await page.getByLabel("Places").fill("3");
  await page.getByRole("button", { name: "Create the meeting" }).click();
  await expect(page.getByRole("status")).toHaveText(/The meeting is on the ward's page/);
  await expect(page.getByRole("heading", { name: "Spring planning" })).toBeVisible();
  await expect(page.getByText("Monday 29 March 2027, 19:30–21:00")).toHaveCount(1);

  await page.goto(`/wards/${ward.slug}/`);
  await expect(page.getByRole("heading", { name: "Spring planning" })).toBeVisible();
  await expect(page.getByText("3 places")).toBeVisible();
});
