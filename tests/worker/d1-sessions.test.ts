// D1 read replicas inside workerd against a real local D1: the request's D1 session as a D1Database (what getDb()
// hands every module), its bookmark (the shape isBookmark accepts), a later session started from that bookmark
// reading the earlier session's write, the session lookup running through it, and the request's database held for
// the request's own async work only.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { currentDatabase, isBookmark, runWithDatabase, sessionDatabase, sessionStart } from "@functions/http/d1-sessions";
import { createSession, generateSessionToken, validateSessionToken } from "@functions/auth/sessions";
import { T0, insertUser } from "./support";

describe("a request's D1 session", () => {
  it("writes and reads through the session, and its bookmark has the shape the cookie accepts", async () => {
    const session = env.DB.withSession("first-primary");
    const db = sessionDatabase(env.DB, session);
    expect(session.getBookmark()).toBeNull();
    const user = await insertUser();
    await db.prepare("UPDATE users SET display_name = ?1 WHERE id = ?2").bind("Replica Reader", user.id).run();
    const bookmark = session.getBookmark();
    expect(bookmark).not.toBeNull();
    expect(isBookmark(bookmark!)).toBe(true);
    // The next request of this member starts from the bookmark and reads the write.
    const later = sessionDatabase(env.DB, env.DB.withSession(sessionStart("GET", true, bookmark)));
    expect(await later.prepare("SELECT display_name FROM users WHERE id = ?1").bind(user.id).first("display_name")).toBe("Replica Reader");
    const [first] = await later.batch<{ n: number }>([later.prepare("SELECT COUNT(*) AS n FROM users WHERE id = ?1").bind(user.id)]);
    expect(first!.results[0]!.n).toBe(1);
  });

  it("runs the session lookup: a member's session validates through it", async () => {
    const user = await insertUser();
    const token = generateSessionToken();
    await createSession(env.DB, token, user.id, T0);
    const db = sessionDatabase(env.DB, env.DB.withSession("first-unconstrained"));
    const result = await validateSessionToken(db, token, T0 + 60);
    expect(result.user?.id).toBe(user.id);
    expect(await db.exec("SELECT 1")).toMatchObject({ count: 1 });
    expect(db.withSession("first-primary").getBookmark()).toBeNull();
  });

  it("is the current database inside runWithDatabase only, also after awaits", async () => {
    const db = sessionDatabase(env.DB, env.DB.withSession("first-unconstrained"));
    expect(currentDatabase()).toBeUndefined();
    await runWithDatabase(db, async () => {
      await db.prepare("SELECT 1").first();
      expect(currentDatabase()).toBe(db);
    });
    expect(currentDatabase()).toBeUndefined();
  });
});
