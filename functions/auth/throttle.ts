// Durable rate limits in D1 (fixed windows), shared by every Worker instance. Counted through guardForm
// (functions/http/form-guard.ts) by every form that takes attempts: sign-in (password, code, passkey), join, verify,
// resend, forgot, reset, account and donate. Keys hold a keyed hash (HMAC with HASH_SECRET) of the IP network, email address or account,
// never the value itself, and never a plain hash that could be reversed by hashing every IPv4 address.
import { keyedHash } from "./tokens";
import { DAY } from "@functions/clock";

export interface ThrottleRule { name: string; limit: number; windowSeconds: number }

/** The limits the site enforces; each is counted per IP and, where an email is known, per email. */
export const THROTTLES = {
  signInIp: { name: "signin:ip", limit: 20, windowSeconds: 15 * 60 },
  signInEmail: { name: "signin:email", limit: 10, windowSeconds: 15 * 60 },
  // Counted only for complete, valid sign-ups (functions/auth/join.ts): a ward meeting on one wifi can sign up
  // its whole room, and mail to any one address is limited by joinEmail.
  joinIp: { name: "join:ip", limit: 100, windowSeconds: 60 * 60 },
  joinEmail: { name: "join:email", limit: 3, windowSeconds: 60 * 60 },
  verifyIp: { name: "verify:ip", limit: 30, windowSeconds: 15 * 60 },
  // Every code sent is an email to someone: limited per account, per network, and per recipient across both forms
  // that send one (a resend, an email change), since any number of accounts can name one address.
  resendAccount: { name: "resend:account", limit: 3, windowSeconds: 15 * 60 },
  resendIp: { name: "resend:ip", limit: 20, windowSeconds: 60 * 60 },
  emailChangeIp: { name: "email-change:ip", limit: 10, windowSeconds: 60 * 60 },
  codeRecipient: { name: "code:recipient", limit: 5, windowSeconds: 60 * 60 },
  /** Asking for a sign-in code (/login/code); each is also counted per recipient by codeRecipient. */
  signInCodeSendIp: { name: "signin-code:send-ip", limit: 10, windowSeconds: 60 * 60 },
  /** Entering a sign-in code, per network and per address typed (the account it would sign in). */
  signInCodeIp: { name: "signin-code:ip", limit: 30, windowSeconds: 15 * 60 },
  signInCodeAccount: { name: "signin-code:account", limit: 10, windowSeconds: 15 * 60 },
  /** Passkey challenges (each a D1 row) and passkey sign-ins, per network. */
  passkeyChallengeIp: { name: "passkey-challenge:ip", limit: 60, windowSeconds: 15 * 60 },
  passkeySignInIp: { name: "passkey-signin:ip", limit: 30, windowSeconds: 15 * 60 },
  forgotIp: { name: "forgot:ip", limit: 10, windowSeconds: 60 * 60 },
  forgotEmail: { name: "forgot:email", limit: 3, windowSeconds: 60 * 60 },
  resetIp: { name: "reset:ip", limit: 20, windowSeconds: 60 * 60 },
  accountIp: { name: "account:ip", limit: 30, windowSeconds: 15 * 60 },
  /** Actions on /account that ask for the current password: a stolen cookie gets few guesses, from any number of networks. */
  reauthAccount: { name: "reauth:account", limit: 10, windowSeconds: 15 * 60 },
  /** Creating Checkout Sessions costs Stripe API calls: a generous limit keeps a script from exhausting them. */
  donateIp: { name: "donate:ip", limit: 30, windowSeconds: 10 * 60 },
  /** Wrong staff second-factor codes (TOTP or recovery) per account; a right code is given back (refundThrottle). */
  secondFactorAccount: { name: "2fa:account", limit: 5, windowSeconds: 15 * 60 },
  /** Each thank-you page view asks Stripe about the session; a donor reloads it a few times at most. */
  thanksIp: { name: "thanks:ip", limit: 30, windowSeconds: 15 * 60 },
} as const satisfies Record<string, ThrottleRule>;

/** Where throttles are counted, and the secret their keys are made with. */
export interface ThrottleStore { db: D1Database; secret: string }

export type ThrottleResult = { allowed: true } | { allowed: false; retryAfter: number };

/** Counts one attempt against `rule` for `subject` and says whether it is allowed; atomic in one statement. */
export async function consumeThrottle(store: ThrottleStore, rule: ThrottleRule, subject: string, now: number): Promise<ThrottleResult> {
  const key = `${rule.name}:${keyedHash(store.secret, "throttle", subject)}`;
  const row = await store.db
    .prepare(
      `INSERT INTO throttles (key, hits, window_start) VALUES (?1, 1, ?2)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN throttles.window_start <= ?2 - ?3 THEN 1 ELSE throttles.hits + 1 END,
         window_start = CASE WHEN throttles.window_start <= ?2 - ?3 THEN ?2 ELSE throttles.window_start END
       RETURNING hits, window_start`,
    )
    .bind(key, now, rule.windowSeconds)
    .first<{ hits: number; window_start: number }>();
  if (row === null || row.hits <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfter: Math.max(1, row.window_start + rule.windowSeconds - now) };
}

/** Gives back one attempt counted by consumeThrottle, for rules that limit only failures (a right code costs nothing). */
export async function refundThrottle(store: ThrottleStore, rule: ThrottleRule, subject: string): Promise<void> {
  const key = `${rule.name}:${keyedHash(store.secret, "throttle", subject)}`;
  await store.db.prepare("UPDATE throttles SET hits = hits - 1 WHERE key = ?1 AND hits > 0").bind(key).run();
}

/** Consumes several rules at once; the first refusal wins (all are counted, so probing one key costs every key). */
export async function consumeThrottles(store: ThrottleStore, checks: Array<[ThrottleRule, string]>, now: number): Promise<ThrottleResult & { refusedBy?: string[] }> {
  const results = await Promise.all(checks.map(([rule, subject]) => consumeThrottle(store, rule, subject, now)));
  const refusedBy = checks.filter((_, i) => !results[i]!.allowed).map(([rule]) => rule.name);
  const waits = results.flatMap((result) => (result.allowed ? [] : [result.retryAfter]));
  if (waits.length === 0) return { allowed: true };
  return { allowed: false, retryAfter: Math.max(...waits), refusedBy };
}

/** Deletes windows that started more than a day ago (longer than any rule's window), so the table stays small. */
export function pruneThrottlesStatement(db: D1Database, now: number): D1PreparedStatement {
  return db.prepare("DELETE FROM throttles WHERE window_start < ?1").bind(now - DAY);
}
