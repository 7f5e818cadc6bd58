// POST /api/passkeys/challenge?purpose=sign-in|register: a fresh WebAuthn challenge and the options the page's script
// (src/scripts/passkeys.ts) passes to navigator.credentials. A registration challenge needs a session and is bound to
// it. Origin-checked by the middleware like every POST; throttled per network, since each challenge is a D1 row.
export const prerender = false;
import type { APIRoute } from "astro";
import { createChallenge, listPasskeys, CHALLENGE_LIFETIME } from "@functions/auth/passkeys";
import { PASSKEY_ALGORITHMS, encodeField, relyingPartyFor } from "@functions/auth/webauthn";
import { consumeThrottle, THROTTLES } from "@functions/auth/throttle";
import { clientIp } from "@functions/http/client-ip";
import { getDb, getSiteUrl, getThrottleStore } from "@src/lib/runtime";
import { nowSeconds } from "@functions/clock";
import { logger } from "@functions/log";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } });

export const POST: APIRoute = async ({ request, url, locals }) => {
  const purpose = url.searchParams.get("purpose");
  if (purpose !== "sign-in" && purpose !== "register") return json(400, { error: "Ask for purpose=sign-in or purpose=register." });
  if (purpose === "register" && (locals.user === null || locals.session === null)) return json(401, { error: "Sign in to add a passkey." });
  const now = nowSeconds();
  const verdict = await consumeThrottle(getThrottleStore(), THROTTLES.passkeyChallengeIp, clientIp(request), now);
  if (!verdict.allowed) {
    logger("security").warn("throttle.refused", { path: url.pathname, rules: THROTTLES.passkeyChallengeIp.name, retryAfter: verdict.retryAfter });
    return json(429, { error: "Too many attempts. Please wait and try again." }, { "Retry-After": String(verdict.retryAfter) });
  }
  const db = getDb();
  const rp = relyingPartyFor(getSiteUrl());
  const timeout = CHALLENGE_LIFETIME * 1000;
  if (purpose === "sign-in") return json(200, { challenge: await createChallenge(db, "sign-in", null, now), rpId: rp.id, timeout });
  const user = locals.user!;
  const [challenge, existing] = await Promise.all([
    createChallenge(db, "register", locals.session!.id, now),
    listPasskeys(db, user.id),
  ]);
  return json(200, {
    challenge,
    rp: { id: rp.id, name: rp.name },
    user: { id: encodeField(new TextEncoder().encode(user.id)), name: user.email, displayName: user.displayName ?? user.email },
    algorithms: PASSKEY_ALGORITHMS,
    exclude: existing.map((passkey) => passkey.id),
    timeout,
  });
};
