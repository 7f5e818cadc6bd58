// The /join form's use-case: check every field, then the password against known breaches (an HTTP call, so only when
// everything else is in order), then the sign-up throttles, then create the account. Only complete, valid sign-ups
// are counted, so mistakes (a breached password among them) cost nothing: one network may create up to
// THROTTLES.joinIp accounts an hour (a ward meeting signing up on one wifi), and any one address gets at most
// THROTTLES.joinEmail sign-up attempts an hour, which is what stops the form being used to mail someone repeatedly.
import { checkSignUp, createAccount, type FieldErrors, type SignedIn } from "./account";
import { screenNewPassword } from "./password-policy";
import type { BreachCheck } from "./breached-passwords";
import { consumeThrottle, THROTTLES, type ThrottleStore } from "./throttle";
import { normaliseEmail } from "./users";
import type { Mailer } from "@functions/email/mailer";
import { waitText } from "@functions/http/form-guard";
import { logger } from "@functions/log";
import { setSubscriptionStatements, type LetterTopic } from "@functions/letters/subscriptions";

const log = logger("security");

export interface JoinForm {
  email: string;
  password: string;
  /** "No password — I'll use codes or a passkey": the password field must then be left empty. */
  noPassword?: boolean | undefined;
  displayName: string;
  agree: boolean;
  /** The session the device already had, if any: it ends when the new account signs in. */
  previousSessionId?: string | null | undefined;
  /** The letters ticked on the form (none by default). */
  letterTopics?: Partial<Record<LetterTopic, boolean>>;
}

export type JoinResult =
  | ({ ok: true } & SignedIn)
  | {
      ok: false;
      status: 400 | 429;
      errors: FieldErrors;
      /** Seconds until a throttled sign-up may be tried again. */
      retryAfter?: number;
      /** The address already has an account: the page offers sign-in and password reset. */
      duplicate?: boolean;
    };

/** The form's problems, every one at once, so an empty form names all its fields rather than one per attempt. */
export function checkJoinForm(form: JoinForm): FieldErrors {
  const errors = checkSignUp({ email: form.email, password: chosenPassword(form), displayName: form.displayName.trim() || null });
  if (form.noPassword === true && form.password !== "") errors.password = "Leave the password empty, or untick “No password”.";
  if (!form.agree) errors.agree = "Please confirm that you have read how we use your data.";
  return errors;
}

/** The password the member chose, or null for "no password". */
function chosenPassword(form: JoinForm): string | null {
  return form.noPassword === true ? null : form.password;
}

/** Joins from the /join form posted from `ip`: see the header for what is counted (in `store`, whose db it writes to). */
export async function joinCommunity(
  store: ThrottleStore, mailer: Mailer, form: JoinForm, ip: string, siteUrl: string, now: number, breaches: BreachCheck,
): Promise<JoinResult> {
  const errors = checkJoinForm(form);
  if (Object.keys(errors).length > 0) return { ok: false, status: 400, errors };
  const password = chosenPassword(form);
  const breached = password === null ? null : await screenNewPassword(password, normaliseEmail(form.email), breaches);
  if (breached !== null) return { ok: false, status: 400, errors: { password: breached } };

  // Both are counted (in parallel), so probing one key costs the other too.
  const [byNetwork, byAddress] = await Promise.all([
    consumeThrottle(store, THROTTLES.joinIp, ip, now),
    consumeThrottle(store, THROTTLES.joinEmail, normaliseEmail(form.email), now),
  ]);
  if (!byNetwork.allowed || !byAddress.allowed) log.warn("throttle.refused", { path: "/join", rules: [byNetwork.allowed ? "" : THROTTLES.joinIp.name, byAddress.allowed ? "" : THROTTLES.joinEmail.name].filter(Boolean).join(",") });
  if (!byNetwork.allowed) {
    return {
      ok: false, status: 429, retryAfter: byNetwork.retryAfter,
      errors: { form: `Many accounts have been created from this network in the last hour. Please try again in ${waitText(byNetwork.retryAfter)}.` },
    };
  }
  if (!byAddress.allowed) {
    return {
      ok: false, status: 429, retryAfter: byAddress.retryAfter,
      errors: { email: `This address has been used to join several times in the last hour. Please try again in ${waitText(byAddress.retryAfter)}.` },
    };
  }

  const result = await createAccount(
    store.db, mailer,
    { email: form.email, password, displayName: form.displayName.trim() || null, previousSessionId: form.previousSessionId },
    siteUrl, now,
  );
  if (result.ok) {
    // The new account exists now; its consent follows at once (a failure here leaves it subscribed to nothing).
    const topics = Object.fromEntries(Object.entries(form.letterTopics ?? {}).filter(([, on]) => on));
    if (Object.keys(topics).length > 0) await store.db.batch(setSubscriptionStatements(store.db, result.userId, topics, now));
    return result;
  }
  // The only refusal createAccount has is an address that already has an account.
  return { ok: false, status: 400, errors: result.errors, duplicate: result.errors.email !== undefined };
}
