// The member's letter choices as forms send them (/join and /account/letters: src/components/LetterTopics.astro),
// and what /account/letters does with each post: save the choices, re-enable letters after a bounce, or ask for them
// again after a complaint. Storage is subscriptions.ts and suppression.ts.
import { setSubscriptionStatements, type LetterTopic } from "./subscriptions";
import { liftComplaintStatement, reenableLetters } from "./suppression";
import { field } from "@functions/http/forms";

/** The checkbox fields LetterTopics.astro sends. */
export const LETTER_TOPIC_FIELDS = ["essaysLetters", "wardLetters"] as const;

/** The topics a form ticked (an unticked box is not sent, so absent means no). */
export function readLetterTopics(fields: URLSearchParams): Record<LetterTopic, boolean> {
  return { essays: field(fields, "essaysLetters") === "yes", ward: field(fields, "wardLetters") === "yes" };
}

/** What /account/letters says after each post (a Map: ?done=constructor finds nothing). */
export const LETTER_CHOICES_DONE = new Map([
  ["saved", "Your letter choices are saved."],
  ["reenabled", "Letters are on again for this address. If it bounces again, they stop again."],
  ["resumed", "Letters are on again for the topics you chose."],
]);

/**
 * Carries out one /account/letters post by the member: "topics" saves the ticked topics; "reenable" lifts a bounce
 * (the mailbox works again); "resume" lifts a complaint, a deliberate new consent that only the member can give.
 */
export async function handleLetterChoices(db: D1Database, userId: string, fields: URLSearchParams, now: number): Promise<{ ok: true; done: string } | { ok: false; message: string }> {
  switch (field(fields, "action")) {
    case "topics":
      await db.batch(setSubscriptionStatements(db, userId, readLetterTopics(fields), now));
      return { ok: true, done: "saved" };
    case "reenable":
      return (await reenableLetters(db, userId, now)) ? { ok: true, done: "reenabled" } : { ok: false, message: "Letters to your address had not stopped after a bounce, so there was nothing to re-enable." };
    case "resume": {
      const [lifted] = await db.batch([liftComplaintStatement(db, userId)]);
      return (lifted!.meta.changes ?? 0) > 0 ? { ok: true, done: "resumed" } : { ok: false, message: "Letters to your address had not stopped after a complaint." };
    }
    default:
      return { ok: false, message: "That action is not one this page offers." };
  }
}
