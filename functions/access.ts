// Who may read what: the one rule for member-only text (strategy pages and members-only essays).
// Pages, feeds and tests ask this function; nothing else decides access.

/** What a reader gets of a page: the full text, the summary with a "verify your email" call, or the summary with a join call. */
export type Access = "full" | "verify-email" | "join";

export interface Reader {
  /** The signed-in member, or null for visitors. */
  user: { emailVerified: boolean } | null;
  /** True when the session lookup failed (D1 error): treated as a visitor, so errors never open member text. */
  sessionLookupFailed: boolean;
}

/** Decides access to a page; `membersOnly` is false for public essays. */
export function decideAccess(reader: Reader, page: { membersOnly: boolean }): Access {
  if (!page.membersOnly) return "full";
  if (reader.sessionLookupFailed || reader.user === null) return "join";
  return reader.user.emailVerified ? "full" : "verify-email";
}
