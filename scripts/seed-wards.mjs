// Sample wards for a fresh clone: `npm run dev` and `npm run preview` run this after the migrations, so the finder
// works out of the box. It writes into LOCAL D1 only (--persist-to DIR picks a state folder, as wrangler does; the
// tests use it), and only when the wards table is empty: it never touches a database that has wards of its own, and
// production never runs it (the migrations hold no sample rows). Each ward gets two public meetings in the coming
// weeks, at 19:00 London time.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WARDS = [
  ["sample-headingley", "headingley", "Headingley", "Headingley and Far Headingley, from the Otley Road shops to Woodhouse Moor.", "active", 20, ["LS6"]],
  ["sample-hyde-park", "hyde-park-and-woodhouse", "Hyde Park and Woodhouse", "The terraces between Hyde Park Corner, Woodhouse Moor and the universities.", "forming", 20, ["LS2", "LS6"]],
  ["sample-bedminster", "bedminster", "Bedminster", "North Street, East Street and the streets between Windmill Hill and the river.", "forming", 25, ["BS3"]],
  ["sample-clerkenwell", "clerkenwell", "Clerkenwell", "From Exmouth Market to Clerkenwell Green and the Barbican's northern edge.", "forming", 30, ["EC1A", "EC1M", "EC1R", "EC1V"]],
  ["sample-hulme", "hulme", "Hulme", "Hulme and Moss Side's northern streets, around Hulme Park and the Zion Centre.", "active", 20, ["M15"]],
];

const args = process.argv.slice(2);
const persistIndex = args.indexOf("--persist-to");
const target = ["--local", ...(persistIndex >= 0 ? ["--persist-to", args[persistIndex + 1]] : [])];

const quote = (value) => (typeof value === "number" ? String(value) : `'${String(value).replace(/'/g, "''")}'`);
const now = Math.floor(Date.now() / 1000);
/** 19:00 in London `days` from today (summer time from the last Sunday of March to the last Sunday of October). */
function londonEvening(days) {
  const day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + days, 19));
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", hourCycle: "h23" }).format(day);
  return Math.floor(day.getTime() / 1000) - (Number(hour) - 19) * 3600;
}

const empty = "NOT EXISTS (SELECT 1 FROM wards)";
const statements = [
  // The guard is read once per statement; the districts and meetings go first so the wards insert sees the same.
  ...WARDS.flatMap(([id, , , , , , districts]) => districts.map((district) => `INSERT INTO ward_districts (district, ward_id) SELECT ${quote(district)}, ${quote(id)} WHERE ${empty};`)),
  ...WARDS.flatMap(([id, , name], i) => [
    [`${id}-meeting-1`, `${name} open meeting`, 7 + i, "The ward's open meeting: what to take on first, and who will organise it. Everyone living in the ward is welcome."],
    [`${id}-meeting-2`, "Services survey walk", 21 + i, "We walk the ward's streets together and note what its services cost and how well they work."],
  ].map(([meetingId, title, days, description]) => {
    const start = londonEvening(days);
    return `INSERT INTO ward_meetings (id, ward_id, title, starts_at, ends_at, place, capacity, public, description, created_at, updated_at) SELECT ${quote(meetingId)}, ${quote(id)}, ${quote(title)}, ${start}, ${start + 7200}, ${quote(`${name} community centre`)}, 40, 1, ${quote(description)}, ${now}, ${now} WHERE ${empty};`;
  })),
  `INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) SELECT * FROM (${WARDS.map(([id, slug, name, area, status, threshold]) => `SELECT ${[id, slug, name, area, status, threshold, now, now].map(quote).join(", ")}`).join(" UNION ALL ")}) WHERE ${empty};`,
];

const dir = mkdtempSync(join(tmpdir(), "smallism-seed-"));
const file = join(dir, "seed.sql");
writeFileSync(file, `PRAGMA defer_foreign_keys = ON;\n${statements.join("\n")}\n`);
try {
  const before = execFileSync("npx", ["wrangler", "d1", "execute", "DB", ...target, "--json", "--command", "SELECT COUNT(*) AS n FROM wards"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (JSON.parse(before)[0].results[0].n > 0) {
    console.log("Sample wards: the local database already has wards; nothing added.");
  } else {
    execFileSync("npx", ["wrangler", "d1", "execute", "DB", ...target, "--file", file], { stdio: ["ignore", "ignore", "inherit"] });
    console.log(`Sample wards: added ${WARDS.length} wards (${WARDS.map(([, slug]) => slug).join(", ")}) to the local database.`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
