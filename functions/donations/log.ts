// Structured donation log lines (Workers Logs in production, the terminal locally). Ids, types and outcomes
// only: never email addresses, notes or card details.

/** Writes one JSON log line for a donation event such as "webhook.rejected". */
export function logDonationEvent(event: string, fields: Record<string, string | number | boolean | null> = {}, level: "log" | "warn" | "error" = "log"): void {
  console[level](JSON.stringify({ type: "donations", event, ...fields }));
}
