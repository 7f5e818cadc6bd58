// Not committed: screenshots of the console pages (light/dark, 390x844 and 1280x900).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import { ROOT, TMP } from "./site.mjs";
import { createVerifiedMember, startServers } from "./serve.mjs";

const outDir = join(TMP, "dist-console");
let stop = async () => {};
const servers = await startServers({ port: 4434, stripePort: 4435, outDir, log: console.log, register: (s) => { stop = s; } });
const state = join(TMP, "state");
const site = servers.url;
const d1 = (sql) => execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, "--command", sql], { cwd: ROOT, stdio: "ignore" });
try {
  const now = Math.floor(Date.now() / 1000);
  d1(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO users (id, email, display_name, password_hash, email_verified_at, created_at)
      SELECT 'shot' || i, CASE WHEN i = 3 THEN 'a-very-long-address.with.many.parts.for-wrapping@some-long-domain-name.example.org' ELSE 'member' || i || '@example.org' END,
      CASE WHEN i % 3 = 0 THEN NULL WHEN i = 2 THEN '=HYPERLINK("x")' ELSE 'Zoë Member ' || i END, 'x', CASE WHEN i % 4 = 0 THEN NULL ELSE ${now} - i * 80000 END, ${now} - i * 80000 FROM n`);
  d1(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, amount_refunded, note, created_at, refunded_at)
      SELECT 'don' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'shot' || (i % 400 + 1) END, CASE WHEN i % 3 = 0 THEN 'guest' || i || '@example.org' END, 500 + (i % 9) * 700, 'gbp',
      CASE WHEN i % 5 = 0 THEN 'monthly' ELSE 'once' END, CASE WHEN i % 40 = 0 THEN 'refunded' WHEN i % 41 = 0 THEN 'partially_refunded' ELSE 'paid' END,
      CASE WHEN i % 40 = 0 THEN 500 + (i % 9) * 700 WHEN i % 41 = 0 THEN 200 ELSE 0 END, CASE WHEN i % 7 = 0 THEN 'For the ward fund, with thanks ' || i END, ${now} - i * 30000, CASE WHEN i % 40 = 0 OR i % 41 = 0 THEN ${now} - i * 30000 + 86400 END FROM n`);
  d1(`INSERT INTO subscriptions (id, user_id, customer_id, amount, currency, status, created_at) VALUES ('sub1', 'shot5', 'cus1', 1000, 'gbp', 'active', ${now} - 86400)`);
  const owner = await createVerifiedMember(site);
  execFileSync("node", ["scripts/staff.mjs", "grant", owner.email, "owner", "--persist-to", state], { cwd: ROOT, stdio: "ignore" });
  const headers = { Cookie: owner.cookieHeader, Origin: site, "CF-Connecting-IP": "198.51.100.9" };
  const page0 = await (await fetch(`${site}/admin/enrol`, { headers })).text();
  const secret = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page0)[1];
  await fetch(`${site}/admin/enrol`, { method: "POST", headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ code: generateTOTP(decodeBase32IgnorePadding(secret.replace(/ /g, "")), 30, 6), next: "/admin" }) });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"] });
  const shots = [["overview", "/admin"], ["members", "/admin/members"], ["member", "/admin/members/shot5"], ["member-long", "/admin/members/shot3"], ["donations", "/admin/donations"], ["members-bad", "/admin/members?after=x"]];
  for (const scheme of ["light", "dark"]) {
    for (const [w, h, name] of [[390, 844, "mobile"], [1280, 900, "desktop"]]) {
      const context = await browser.newContext({ viewport: { width: w, height: h }, colorScheme: scheme });
      await context.addCookies([{ name: "smallism_session", value: owner.cookie.value, url: site }]);
      const page = await context.newPage();
      for (const [label, path] of shots) {
        await page.goto(`${site}${path}`);
        if (label === "member") await page.locator("details.confirm").first().evaluate((el) => { el.open = true; });
        await page.screenshot({ path: `/work/wt/shots/console-data/${label}-${name}-${scheme}.png`, fullPage: true });
      }
      await context.close();
    }
  }
  await browser.close();
} finally {
  await stop();
}
