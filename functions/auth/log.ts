// Structured auth-event log lines (Workers Logs in production, the terminal locally).
// Never pass passwords, tokens, codes or email addresses: ids and outcomes only.

/** Writes one JSON log line for an auth event such as "signin.failed". */
export function logAuthEvent(event: string, fields: Record<string, string | number | boolean | null> = {}): void {
  console.log(JSON.stringify({ type: "auth", event, ...fields }));
}
