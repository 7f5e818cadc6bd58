// The clock's constants and the lifetimes that emails and pages state (functions/clock.ts, functions/email/messages.ts):
// the words come from the real lifetimes, so a changed lifetime cannot leave old words in an email.
import { describe, expect, it } from "vitest";
import { DAY, durationInWords } from "@functions/clock";
import { CODE_LIFETIME } from "@functions/auth/email-verification";
import { RESET_LIFETIME } from "@functions/auth/password-reset";
import { passwordResetEmail, verificationEmail } from "@functions/email/messages";

describe("durationInWords", () => {
  it.each([
    [60, "one minute"], [15 * 60, "15 minutes"], [90 * 60, "90 minutes"], [60 * 60, "one hour"], [2 * 60 * 60, "2 hours"], [DAY, "24 hours"],
  ])("%i seconds is %s", (seconds, words) => expect(durationInWords(seconds)).toBe(words));
});

describe("the lifetimes emails state", () => {
  it("the verification email gives the code's real lifetime", () => {
    const { text, html } = verificationEmail("a@example.org", "ABCD2345", "https://smallism.example");
    expect(text).toContain(`within ${durationInWords(CODE_LIFETIME)}`);
    expect(html).toContain(`within ${durationInWords(CODE_LIFETIME)}`);
    expect(durationInWords(CODE_LIFETIME)).toBe("15 minutes");
  });

  it("the reset email gives the link's real lifetime", () => {
    const { text } = passwordResetEmail("a@example.org", "tok", "https://smallism.example");
    expect(text).toContain(`within ${durationInWords(RESET_LIFETIME)}`);
    expect(durationInWords(RESET_LIFETIME)).toBe("one hour");
  });
});
