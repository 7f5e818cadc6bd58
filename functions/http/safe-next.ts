// Where to send a member after signing in: only same-site paths, so `?next=` can never be an open redirect.

/** `next` when it is a plain same-site path ("/strategy/x?y"), else "/". */
export function safeNextPath(next: string | null | undefined, fallback = "/"): string {
  if (!next || next.length > 512) return fallback;
  // Must start with one "/" followed by something that is not "/" or "\" (which browsers treat as "//host").
  if (!/^\/(?![/\\])/.test(next)) return fallback;
  if (/[\u0000-\u001F\u007F\\]/.test(next)) return fallback;
  try {
    const base = "https://same-site.invalid";
    const resolved = new URL(next, base);
    if (resolved.origin !== base) return fallback;
    // Dot segments can normalise "/.//evil.example" into "//evil.example", so check the result again.
    const path = resolved.pathname + resolved.search + resolved.hash;
    return /^\/(?![/\\])/.test(path) ? path : fallback;
  } catch {
    return fallback;
  }
}
