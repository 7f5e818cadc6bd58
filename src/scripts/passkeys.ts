// Passkeys in the browser, for the two pages that use them (/login and /account/security; no other page loads this):
// asks the server for a challenge (/api/passkeys/challenge), hands it to navigator.credentials, and submits the
// answer in the page's own form as base64url fields, so the server's form rules (Origin check, throttles, error
// summary) apply as to any other form. The passkey forms stay hidden without JavaScript or WebAuthn (a note says so
// instead, where there is one: [data-passkey-fallback]); the password
// and code forms never need this script. On /login, passkeys are also offered in the email field's autofill
// (conditional mediation) where the browser supports it.

const toBase64url = (buffer: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** What /api/passkeys/challenge answers (src/pages/api/passkeys/challenge.ts). */
interface SignInOptions { challenge: string; rpId: string; timeout: number }
interface RegisterOptions {
  challenge: string; rp: { id: string; name: string }; user: { id: string; name: string; displayName: string };
  algorithms: number[]; exclude: string[]; timeout: number;
}

/** The options for `purpose` from the server, or an error whose message can be shown. */
async function fetchOptions<T>(purpose: "sign-in" | "register"): Promise<T> {
  const response = await fetch(`/api/passkeys/challenge?purpose=${purpose}`, { method: "POST", credentials: "same-origin" });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error);
  return body as T;
}

/** Puts `values` into the form's hidden fields and submits it the ordinary way. */
function submitWith(form: HTMLFormElement, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) (form.elements.namedItem(name) as HTMLInputElement).value = value;
  form.submit();
}

/** Shows why the ceremony stopped in the form's status line; a cancelled or replaced request says nothing. */
function report(form: HTMLFormElement, error: unknown): void {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "AbortError") return;
  const status = form.querySelector<HTMLElement>("[data-passkey-status]")!;
  status.textContent = name === "NotAllowedError" ? "The passkey request was cancelled or timed out." : error instanceof Error && error.message ? error.message : "Passkeys did not work just now. Please try again.";
}

function setUpSignIn(form: HTMLFormElement): void {
  let pending: AbortController | undefined;
  const signIn = async (mediation?: CredentialMediationRequirement) => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const options = await fetchOptions<SignInOptions>("sign-in");
    const credential = (await navigator.credentials.get({
      ...(mediation ? { mediation } : {}),
      signal: controller.signal,
      publicKey: { challenge: fromBase64url(options.challenge), rpId: options.rpId, userVerification: "required", timeout: options.timeout },
    })) as PublicKeyCredential | null;
    if (credential === null) return false;
    const response = credential.response as AuthenticatorAssertionResponse;
    submitWith(form, {
      credentialId: credential.id,
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : "",
    });
    return true;
  };
  // The button's request replaces the autofill's (a page may hold only one); once it ends without signing in
  // (cancelled, timed out, refused), the autofill is started again so passkeys stay on offer in the email field.
  const offerInAutofill = () => PublicKeyCredential.isConditionalMediationAvailable?.().then((available) => {
    if (available) signIn("conditional").catch((error) => report(form, error));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn().then((submitted) => { if (!submitted) offerInAutofill(); }, (error) => {
      report(form, error);
      offerInAutofill();
    });
  });
  offerInAutofill();
}

function setUpRegistration(form: HTMLFormElement): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    (async () => {
      const options = await fetchOptions<RegisterOptions>("register");
      const credential = (await navigator.credentials.create({
        publicKey: {
          challenge: fromBase64url(options.challenge),
          rp: options.rp,
          user: { id: fromBase64url(options.user.id), name: options.user.name, displayName: options.user.displayName },
          pubKeyCredParams: options.algorithms.map((alg) => ({ type: "public-key", alg })),
          authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
          attestation: "none",
          excludeCredentials: options.exclude.map((id) => ({ type: "public-key", id: fromBase64url(id) })),
          timeout: options.timeout,
        },
      })) as PublicKeyCredential;
      const response = credential.response as AuthenticatorAttestationResponse;
      submitWith(form, { clientDataJSON: toBase64url(response.clientDataJSON), attestationObject: toBase64url(response.attestationObject) });
    })().catch((error) => report(form, error));
  });
}

if (window.PublicKeyCredential) {
  for (const note of document.querySelectorAll<HTMLElement>("[data-passkey-fallback]")) note.hidden = true;
  for (const form of document.querySelectorAll<HTMLFormElement>("[data-passkey]")) {
    form.hidden = false;
    if (form.dataset.passkey === "sign-in") setUpSignIn(form);
    else setUpRegistration(form);
  }
}
