// The console's overview (functions/staff/overview.ts) against real D1: member totals from the trigger-kept counter
// (joins, verifications, deletions), new members in 7 and 30 days, donations this month and last in the site's
// currency, active monthly donors, refunds, and twelve months of figures with empty months as zeros.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readOverview } from "@functions/staff/overview";
import { DAY } from "@functions/clock";
import { T0 } from "./support";
import { seedDonation, seedMember, seedSubscription } from "./console-support";

// T0 is 2027-01-15 08:00 UTC: "this month" is 2027-01, "last month" 2026-12.
const DEC_10 = Date.UTC(2026, 11, 10) / 1000;
const MAR_2026 = Date.UTC(2026, 2, 3) / 1000;
const JAN_2026 = Date.UTC(2026, 0, 20) / 1000; // 12 months back is February 2026: January 2026 is outside

describe("readOverview", () => {
  it("counts members, new members, donations, monthly donors and refunds, and fills twelve months", async () => {
    const verified = await seedMember({ createdAt: T0 - 2 * DAY, verifiedAt: T0 - DAY });
    await seedMember({ createdAt: T0 - 3 * DAY });
    await seedMember({ createdAt: T0 - 20 * DAY, verifiedAt: T0 - 20 * DAY });
    await seedMember({ createdAt: MAR_2026, verifiedAt: MAR_2026 });
    await seedMember({ createdAt: JAN_2026 });
    await seedDonation({ createdAt: T0 - DAY, amount: 1500, userId: verified.id });
    await seedDonation({ createdAt: T0 - 2 * DAY, amount: 500, frequency: "monthly" });
    await seedDonation({ createdAt: T0 - 3 * DAY, amount: 9999, currency: "eur" }); // counted, not summed in pounds
    await seedDonation({ createdAt: DEC_10, amount: 2000, status: "refunded", amountRefunded: 2000, refundedAt: T0 - 5 * DAY });
    await seedDonation({ createdAt: DEC_10 + 60, amount: 3000, status: "partially_refunded", amountRefunded: 1000, refundedAt: DEC_10 + DAY });
    await seedDonation({ createdAt: JAN_2026, amount: 7000 });
    await seedSubscription({ customerId: "cus_a", amount: 500, createdAt: T0 - 40 * DAY });
    await seedSubscription({ customerId: "cus_a", amount: 300, createdAt: T0 - 30 * DAY });
    await seedSubscription({ customerId: "cus_b", amount: 1000, createdAt: T0 - 30 * DAY });
    await seedSubscription({ customerId: "cus_c", amount: 800, createdAt: T0 - 30 * DAY, status: "canceled" });

    const overview = await readOverview(env.DB, T0, "gbp");
    expect(overview.members).toEqual({ total: 5, verified: 3, new7: 2, new30: 3 });
    expect(overview.thisMonth).toEqual({ count: 3, amount: 2000 });
    expect(overview.lastMonth).toEqual({ count: 2, amount: 5000 });
    expect(overview.monthly).toEqual({ donors: 2, amount: 1800 });
    expect(overview.refunds).toEqual({ thisMonth: { count: 1, amount: 2000 }, lastMonth: { count: 1, amount: 1000 } });
    expect(overview.months.map((m) => m.month)).toEqual([
      "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01",
    ]);
    expect(overview.months[1]).toEqual({ month: "2026-03", members: 1, donations: 0, amount: 0 });
    expect(overview.months[10]).toEqual({ month: "2026-12", members: 1, donations: 2, amount: 5000 }); // the member who joined 20 days ago
    expect(overview.months[11]).toEqual({ month: "2027-01", members: 2, donations: 3, amount: 2000 });
    expect(overview.months.slice(2, 10).every((m) => m.members === 0 && m.donations === 0)).toBe(true);
  });

  it("keeps the member counter exact through verification, deletion and a second verification of a changed address", async () => {
    const before = (await readOverview(env.DB, T0, "gbp")).members;
    const member = await seedMember({ createdAt: T0 - DAY });
    await env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0, member.id).run();
    // An email change sets a new verification time: still one verified member.
    await env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0 + 60, member.id).run();
    expect((await readOverview(env.DB, T0, "gbp")).members).toMatchObject({ total: before.total + 1, verified: before.verified + 1 });
    await env.DB.prepare("DELETE FROM users WHERE id = ?1").bind(member.id).run();
    expect((await readOverview(env.DB, T0, "gbp")).members).toMatchObject({ total: before.total, verified: before.verified });
  });
});
