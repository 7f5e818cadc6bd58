// The .ics file of a ward meeting, parsed back by ical.js (Mozilla's iCalendar parser): RFC 5545 structure, escaped
// text, folded lines, and instants right on both sides of the October and March clock changes.
import { describe, expect, it } from "vitest";
import ICAL from "ical.js";
import { meetingIcs } from "@functions/wards/ics";
import { londonToUtc } from "@functions/wards/london-time";
import type { Meeting } from "@functions/wards/meetings";

function meetingAt(date: string, start: string, end: string, extra: Partial<Meeting> = {}): Meeting {
  const s = londonToUtc(date, start);
  const e = londonToUtc(date, end);
  if (!s.ok || !e.ok) throw new Error("bad test time");
  return {
    id: "m-1", wardId: "w-1", title: "Ward meeting", startsAt: s.seconds, endsAt: e.seconds, place: "St Michael's Hall, Otley Road", capacity: 10,
    public: true, description: "", cancelled: false, sequence: 0, updatedAt: s.seconds - 86400, going: 0, waitlisted: 0, mine: null, ...extra,
  };
}

function parse(text: string) {
  const component = new ICAL.Component(ICAL.parse(text));
  const event = new ICAL.Event(component.getFirstSubcomponent("vevent")!);
  return { component, event, vevent: component.getFirstSubcomponent("vevent")! };
}

describe("meetingIcs", () => {
  it.each([
    ["the Saturday before the October change (BST)", "2026-10-24", "19:00", "2026-10-24T18:00:00.000Z"],
    ["the Monday after the October change (GMT)", "2026-10-26", "19:00", "2026-10-26T19:00:00.000Z"],
    ["the Saturday before the March change (GMT)", "2027-03-27", "19:00", "2027-03-27T19:00:00.000Z"],
    ["the Monday after the March change (BST)", "2027-03-29", "19:00", "2027-03-29T18:00:00.000Z"],
  ])("puts a 19:00 London meeting on %s at the right instant", (_label, date, start, iso) => {
    const { event } = parse(meetingIcs(meetingAt(date, start, "21:00"), { name: "Headingley" }, "https://smallism.example/wards/headingley/", "smallism.example"));
    expect(event.startDate.toJSDate().toISOString()).toBe(iso);
    expect(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()).toBe(2 * 60 * 60 * 1000);
  });

  it("is a valid VCALENDAR with escaped, folded text, a stable UID and the cancellation status", () => {
    const description = "Bring a chair; we vote on the bus route, the library hours and the allotments.\nTea from 18:45 — all welcome. ".repeat(3).trim();
    const text = meetingIcs(meetingAt("2026-11-03", "19:00", "21:00", { description, sequence: 2, cancelled: true }), { name: "Hyde Park, Leeds" }, "https://smallism.example/wards/hyde-park/", "smallism.example");
    expect(text.endsWith("\r\n")).toBe(true);
    for (const line of text.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    const { component, event, vevent } = parse(text);
    expect(component.getFirstPropertyValue("version")).toBe("2.0");
    expect(component.getFirstPropertyValue("prodid")).toBe("-//Smallism//Wards//EN");
    expect(event.uid).toBe("meeting-m-1@smallism.example");
    expect(event.summary).toBe("Ward meeting (Hyde Park, Leeds)");
    expect(event.location).toBe("St Michael's Hall, Otley Road");
    expect(event.description).toBe(description);
    expect(vevent.getFirstPropertyValue("sequence")).toBe(2);
    expect(vevent.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(vevent.getFirstPropertyValue("dtstamp")).not.toBeNull();
  });
});
