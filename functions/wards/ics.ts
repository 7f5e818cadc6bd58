// One meeting as an iCalendar file (RFC 5545) for calendar apps: a VEVENT with times in UTC (unambiguous across the
// clock changes; apps show them in the reader's zone), a stable UID, SEQUENCE raised at every edit and STATUS:CANCELLED
// once cancelled, so an app that imported it updates its copy. Text is escaped and lines folded at 75 octets.
import type { Meeting } from "./meetings";

/** 20261025T183000Z */
function utcStamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Escapes TEXT values (RFC 5545 §3.3.11). */
function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds a content line to 75 octets, never splitting a UTF-8 character (§3.1). */
function fold(line: string): string {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    if (octets + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

/** The .ics text for `meeting` of `ward`, whose page is `pageUrl`. */
export function meetingIcs(meeting: Meeting, ward: { name: string }, pageUrl: string, host: string): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Smallism//Wards//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:meeting-${meeting.id}@${host}`,
    `DTSTAMP:${utcStamp(meeting.updatedAt)}`,
    `DTSTART:${utcStamp(meeting.startsAt)}`,
    `DTEND:${utcStamp(meeting.endsAt)}`,
    `SEQUENCE:${meeting.sequence}`,
    `SUMMARY:${escapeText(`${meeting.title} (${ward.name})`)}`,
    `LOCATION:${escapeText(meeting.place)}`,
    ...(meeting.description === "" ? [] : [`DESCRIPTION:${escapeText(meeting.description)}`]),
    `URL:${pageUrl}`,
    `STATUS:${meeting.cancelled ? "CANCELLED" : "CONFIRMED"}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
