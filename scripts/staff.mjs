// `npm run staff -- grant EMAIL ROLE` / `npm run staff -- revoke EMAIL` / `npm run staff -- list`: makes the first owner
// (and any staff member) from the command line, against local D1 by default or production with --remote
// (--persist-to DIR picks a local state folder, as wrangler does; the tests use it). The account must exist and be
// verified; the last owner cannot be removed. It runs through `wrangler d1 execute`, prints what changed, and writes
// the change and its audit row in one transaction (actor "cli"), with the same last-owner rule as the console
// (functions/staff/staff-members.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROLES = ["owner", "admin", "editor"];
const USAGE = `Usage:
  npm run staff -- grant EMAIL owner|admin|editor [--remote | --persist-to DIR]
  npm run staff -- revoke EMAIL [--remote | --persist-to DIR]
  npm run staff -- list [--remote | --persist-to DIR]`;

function fail(message) {
  console.error(message);
  process.exit(1);
}

const args = process.argv.slice(2);
const remote = args.includes("--remote");
const persistIndex = args.indexOf("--persist-to");
const persistTo = persistIndex >= 0 ? args[persistIndex + 1] : undefined;
const positional = args.filter((arg, i) => !arg.startsWith("--") && (persistIndex < 0 || i !== persistIndex + 1));
const [command, rawEmail, role] = positional;
const target = remote ? ["--remote"] : ["--local", ...(persistTo ? ["--persist-to", persistTo] : [])];

/** A SQL string literal (single quotes doubled); the email is also checked for shape first. */
const literal = (value) => `'${String(value).replaceAll("'", "''")}'`;

/** Runs SQL from a file through wrangler and returns the result rows of each statement. */
function execute(sql) {
  const dir = mkdtempSync(join(tmpdir(), "smallism-staff-"));
  try {
    const file = join(dir, "staff.sql");
    writeFileSync(file, sql);
    const out = execFileSync("npx", ["wrangler", "d1", "execute", "DB", ...target, "--json", `--file=${file}`], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return JSON.parse(out).map((result) => result.results ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const where = remote ? "production (remote D1)" : `local D1${persistTo ? ` in ${persistTo}` : ""}`;

if (command === "list") {
  const [rows] = execute("SELECT u.email, s.role, s.granted_at FROM staff s JOIN users u ON u.id = s.user_id ORDER BY s.role, u.email;");
  if (rows.length === 0) console.log(`No staff in ${where}.`);
  for (const row of rows) console.log(`${row.role.padEnd(7)} ${row.email} (since ${new Date(row.granted_at * 1000).toISOString().slice(0, 10)})`);
  process.exit(0);
}
if ((command !== "grant" && command !== "revoke") || !rawEmail) fail(USAGE);
const email = rawEmail.trim().toLowerCase();
if (!/^[^\s@'"]+@[^\s@'"]+\.[^\s@'"]+$/.test(email) || email.length > 254) fail(`"${rawEmail}" is not an email address.`);
if (command === "grant" && !ROLES.includes(role)) fail(`ROLE must be one of ${ROLES.join(", ")}.\n${USAGE}`);

const [[user]] = execute(`SELECT u.id, u.email_verified_at, s.role FROM users u LEFT JOIN staff s ON s.user_id = u.id WHERE u.email = ${literal(email)};`);
if (!user) fail(`No account has the address ${email} in ${where}. They must join (and verify their email) first.`);
if (user.email_verified_at === null) fail(`${email} has not verified its email address yet; ask them to enter the code we sent.`);

const now = Math.floor(Date.now() / 1000);
const keepsAnOwner = `(NOT EXISTS (SELECT 1 FROM staff WHERE user_id = ${literal(user.id)} AND role = 'owner') OR (SELECT COUNT(*) FROM staff WHERE role = 'owner') > 1)`;
const audit = (action, detail) =>
  `INSERT INTO audit_log (at, actor_id, actor_role, action, target_id, detail, net) SELECT ${now}, 'cli', 'cli', ${literal(action)}, ${literal(user.id)}, ${literal(JSON.stringify(detail))}, 'cli' WHERE changes() > 0;`;

if (command === "grant") {
  if (user.role === role) {
    console.log(`${email} is already ${role} in ${where}; nothing changed.`);
    process.exit(0);
  }
  const [, , [after]] = execute(`
    INSERT INTO staff (user_id, role, granted_at, granted_by) SELECT ${literal(user.id)}, ${literal(role)}, ${now}, 'cli' WHERE ${literal(role)} = 'owner' OR ${keepsAnOwner}
      ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at, granted_by = excluded.granted_by;
    ${audit("staff.grant", { role, previous: user.role })}
    SELECT role FROM staff WHERE user_id = ${literal(user.id)};`);
  if (after?.role !== role) fail(`${email} is the last owner in ${where}; make someone else an owner first.`);
  console.log(`${email}: ${user.role ?? "member"} → ${role} in ${where}. At their next visit to /admin they set up their second factor.`);
} else {
  if (user.role === null) {
    console.log(`${email} is not on the staff in ${where}; nothing changed.`);
    process.exit(0);
  }
  const [, , [after]] = execute(`
    DELETE FROM staff WHERE user_id = ${literal(user.id)} AND ${keepsAnOwner};
    ${audit("staff.revoke", { previous: user.role })}
    SELECT role FROM staff WHERE user_id = ${literal(user.id)};`);
  if (after) fail(`${email} is the last owner in ${where}; make someone else an owner first.`);
  console.log(`${email}: ${user.role} → member in ${where}.`);
}
