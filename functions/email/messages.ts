// The emails the site sends, each as plain text and HTML. Links are built from the configured site URL,
// never from the request's Host header, so a forged Host cannot redirect a reset link. The lifetimes they state
// are the ones the codes and links really have (CODE_LIFETIME, RESET_LIFETIME).
import type { EmailMessage } from "./mailer";
import { CONTACT_EMAIL } from "@functions/contact";
import { durationInWords } from "@functions/clock";
import { CODE_LIFETIME } from "@functions/auth/email-verification";
import { RESET_LIFETIME } from "@functions/auth/password-reset";
import { SIGN_IN_CODE_LIFETIME } from "@functions/auth/sign-in-codes";

/** Text made safe to place in HTML (and in a quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, paragraphs: string[], action?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.href)}" style="background:#0b5a4a;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(action.label)}</a></p>`
    : "";
  return `<!doctype html><html lang="en-GB"><body style="font-family:system-ui,sans-serif;color:#1c2220;line-height:1.5;max-width:560px;margin:0 auto;padding:24px"><h1 style="font-size:22px">${escapeHtml(title)}</h1>${body}${button}<p style="color:#4c5652;font-size:14px">Smallism: local services, owned by the people who use them.</p></body></html>`;
}

/** The verification code for a new account or a changed email address. */
export function verificationEmail(to: string, code: string, siteUrl: string): EmailMessage {
  const verifyUrl = new URL("/verify", siteUrl).href;
  const lines = [
    `Your Smallism verification code is ${code}.`,
    `Enter it at ${verifyUrl} within ${durationInWords(CODE_LIFETIME)}. It works once.`,
    "If you did not ask for this, you can ignore this email.",
  ];
  return { to, subject: `Your Smallism code: ${code}`, text: lines.join("\n\n"), html: layout("Confirm your email address", lines, { href: verifyUrl, label: "Enter your code" }) };
}

/** A one-time sign-in code (/login/code): no link, since mail scanners open links and would spend them. */
export function signInCodeEmail(to: string, code: string, siteUrl: string): EmailMessage {
  const lines = [
    `Your Smallism sign-in code is ${code}.`,
    `Enter it on the sign-in page at ${new URL("/login/code", siteUrl).href} within ${durationInWords(SIGN_IN_CODE_LIFETIME)}. It works once.`,
    "If you did not ask to sign in, you can ignore this email: nobody can sign in without the code.",
  ];
  return { to, subject: `Your Smallism sign-in code: ${code}`, text: lines.join("\n\n"), html: layout("Sign in to Smallism", lines) };
}

/** The reset link (single use, RESET_LIFETIME), built from the site URL like every link we send. */
export function passwordResetEmail(to: string, token: string, siteUrl: string): EmailMessage {
  const link = new URL(`/reset?token=${encodeURIComponent(token)}`, siteUrl).href;
  const lines = [
    "Someone asked to reset the password of your Smallism account.",
    `Choose a new password here within ${durationInWords(RESET_LIFETIME)}: ${link}`,
    "The link works once. If you did not ask for this, ignore this email: your password stays as it is.",
  ];
  return { to, subject: "Reset your Smallism password", text: lines.join("\n\n"), html: layout("Reset your password", lines, { href: link, label: "Choose a new password" }) };
}

/** Tells the old address that the account's email is changing. */
export function emailChangeNoticeEmail(to: string, newEmail: string): EmailMessage {
  const lines = [
    `Your Smallism account's email address is being changed to ${newEmail}.`,
    `If you did not do this, reset your password straight away and write to us at ${CONTACT_EMAIL}.`,
  ];
  return { to, subject: "Your Smallism email address is changing", text: lines.join("\n\n"), html: layout("Email address change", lines) };
}

/** Confirms a password change to the account's address. */
export function passwordChangedEmail(to: string): EmailMessage {
  const lines = [
    "The password of your Smallism account was just changed, and every other device was signed out.",
    `If this was not you, use “Forgot your password?” on the sign-in page at once, and write to us at ${CONTACT_EMAIL}.`,
  ];
  return { to, subject: "Your Smallism password was changed", text: lines.join("\n\n"), html: layout("Password changed", lines) };
}
