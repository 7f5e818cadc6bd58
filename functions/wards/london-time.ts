// Ward meetings happen in Europe/London: organisers type wall-clock times there, pages show them there, and D1 keeps
// Unix seconds (UTC). The offset comes from Intl (the runtime's time-zone data), so the March and October clock
// changes are the runtime's, not ours. A time that does not exist (the hour the clocks skip in March) is refused;
// a time that happens twice (the hour repeated in October) means its first occurrence, in summer time.

export const LONDON = "Europe/London";

const PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: LONDON, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
});

/** London's wall-clock fields at `seconds` (UTC). */
function londonFields(seconds: number): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(PARTS.formatToParts(new Date(seconds * 1000)).map((part) => [part.type, part.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** London's offset from UTC at `seconds`, in seconds (0 in winter, 3600 in summer). */
function londonOffset(seconds: number): number {
  const f = londonFields(seconds);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) / 1000 - Math.floor(seconds / 60) * 60;
}

export type LondonTimeResult = { ok: true; seconds: number } | { ok: false; message: string };

/** The UTC instant of a London date ("2026-10-25") and time ("19:30"); see the header comment for the clock changes. */
export function londonToUtc(date: string, time: string): LondonTimeResult {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (d === null) return { ok: false, message: "Enter the date as year, month and day, such as 2026-10-25." };
  if (t === null) return { ok: false, message: "Enter the time in 24-hour form, such as 19:30." };
  const [year, month, day, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  const wall = Date.UTC(year, month - 1, day, hour, minute) / 1000;
  const check = new Date(wall * 1000);
  if (year < 2000 || year > 2100 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return { ok: false, message: "That date does not exist." };
  if (hour > 23 || minute > 59) return { ok: false, message: "That time does not exist." };
  // Try the summer offset first, so a repeated October hour means its first (summer-time) occurrence.
  for (const offset of [3600, 0]) {
    const candidate = wall - offset;
    if (londonOffset(candidate) === offset) return { ok: true, seconds: candidate };
  }
  return { ok: false, message: "That time does not exist in the UK: the clocks go forward an hour that night. Choose a time after 02:00." };
}

/** The London date ("2026-10-25") and time ("19:30") of `seconds`, for form fields. */
export function utcToLondonFields(seconds: number): { date: string; time: string } {
  const f = londonFields(seconds);
  const pad = (n: number) => String(n).padStart(2, "0");
  return { date: `${f.year}-${pad(f.month)}-${pad(f.day)}`, time: `${pad(f.hour)}:${pad(f.minute)}` };
}

const WHEN = new Intl.DateTimeFormat("en-GB", { timeZone: LONDON, weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const TIME = new Intl.DateTimeFormat("en-GB", { timeZone: LONDON, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "Tuesday 3 November 2026, 19:00–21:00" in London time, for pages. */
export function formatMeetingTime(startsAt: number, endsAt: number): string {
  return `${WHEN.format(new Date(startsAt * 1000)).replace(/^(\w+),/, "$1").replace(" at ", ", ")}–${TIME.format(new Date(endsAt * 1000))}`;
}
