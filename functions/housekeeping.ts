// Daily clean-up of rows that have outlived their use: expired sessions, codes (verification and sign-in), reset
// links, passkey challenges, old throttle windows, old dev-mailbox mail and the ids of handled letter events (a replay
// older than EVENT_MAX_AGE is refused as stale anyway). Letters' old deliveries are folded by
// functions/letters/retention.ts, which the same cron runs. Nothing else ever deletes rows nobody presents again, so without this the
// tables only grow. Run by the Worker's Cron Trigger (src/worker.ts, wrangler.toml [triggers]).
import { pruneThrottlesStatement } from "./auth/throttle";
import { DAY } from "./clock";
import { EVENT_MAX_AGE } from "./letters/provider-events";

export interface HousekeepingReport {
  sessions: number;
  verificationCodes: number;
  passwordResets: number;
  throttles: number;
  devMail: number;
  signInCodes: number;
  passkeyChallenges: number;
  letterEvents: number;
}

/** Deletes everything expired as of `now`, in one batch; returns how many rows each table lost. */
export async function deleteExpiredRows(db: D1Database, now: number): Promise<HousekeepingReport> {
  const results = await db.batch([
    db.prepare("DELETE FROM sessions WHERE expires_at <= ?1").bind(now),
    // A day's grace, so /verify can still say "that code has expired" rather than "there is no code".
    db.prepare("DELETE FROM email_verifications WHERE expires_at <= ?1").bind(now - DAY),
    db.prepare("DELETE FROM password_resets WHERE expires_at <= ?1").bind(now),
    pruneThrottlesStatement(db, now),
    db.prepare("DELETE FROM dev_mailbox WHERE sent_at <= ?1").bind(now - 7 * DAY),
    db.prepare("DELETE FROM sign_in_codes WHERE expires_at <= ?1").bind(now),
    db.prepare("DELETE FROM webauthn_challenges WHERE expires_at <= ?1").bind(now),
    db.prepare("DELETE FROM letter_events WHERE received_at <= ?1").bind(now - EVENT_MAX_AGE - DAY),
  ]);
  const [sessions, verificationCodes, passwordResets, throttles, devMail, signInCodes, passkeyChallenges, letterEvents] = results.map((result) => result.meta.changes ?? 0);
  return {
    sessions: sessions!, verificationCodes: verificationCodes!, passwordResets: passwordResets!, throttles: throttles!, devMail: devMail!,
    signInCodes: signInCodes!, passkeyChallenges: passkeyChallenges!, letterEvents: letterEvents!,
  };
}
