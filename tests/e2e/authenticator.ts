// Chromium's virtual authenticator for the passkey browser tests (CDP WebAuthn domain): a platform authenticator
// that holds resident keys and verifies its user, as a phone or laptop with a screen lock does.
import type { CDPSession, Page } from "@playwright/test";

/** A virtual platform authenticator that holds resident keys and verifies its user. */
export async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}
