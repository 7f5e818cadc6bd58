// The site's one logger: every line is one JSON object with `level`, `type` (the area that wrote it), `event` and
// plain fields, so Workers Logs in production (and the terminal locally) can filter on any of them. Log ids, counts
// and outcomes only: never passwords, tokens, codes, email addresses, notes or card details. As a last guard, a field
// whose name says it holds a secret is written as "[redacted]" whatever the caller passed. Auth and security lines
// also carry `net`, a keyed hash of the client's network that the middleware puts in the request's log context
// (runWithLogContext), so an attack can be traced across lines without logging anyone's address.
import { AsyncLocalStorage } from "node:async_hooks";

/** The areas that write log lines. */
export type LogType = "auth" | "donations" | "email" | "letters" | "security" | "housekeeping" | "site";
export type LogLevel = "info" | "warn" | "error";
/** Plain values only; `level`, `type` and `event` are the logger's own. */
export type LogFields = Record<string, string | number | boolean | null> & { level?: never; type?: never; event?: never };

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const SECRET_FIELD = /password|token|secret|^code$|^email$|^note$/i;

const WRITERS: Record<LogLevel, (line: string) => void> = {
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

/** What every auth and security line of one request carries; `net` is worked out only when a line needs it (an HMAC). */
export interface LogContext { net: () => string }

const requestContext = new AsyncLocalStorage<LogContext>();
const CONTEXT_TYPES: ReadonlySet<LogType> = new Set(["auth", "security"]);

/** Runs `work` (a request's handling) with `context` added to every auth and security line it writes. */
export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return requestContext.run(context, work);
}

/** Writes one line: `{"level":…,"type":…,"event":…, …fields}`. */
export function logEvent(level: LogLevel, type: LogType, event: string, fields: LogFields = {}): void {
  const context = CONTEXT_TYPES.has(type) ? requestContext.getStore() : undefined;
  const all: Record<string, unknown> = context === undefined ? fields : { net: context.net(), ...fields };
  const safe = Object.fromEntries(Object.entries(all).map(([key, value]) => [key, SECRET_FIELD.test(key) ? "[redacted]" : value]));
  WRITERS[level](JSON.stringify({ ...safe, level, type, event }, ["level", "type", "event", ...Object.keys(safe)]));
}

/** A logger whose lines all carry `type`: `logger("auth").info("signin", { userId })`. */
export function logger(type: LogType): Logger {
  return {
    info: (event, fields) => logEvent("info", type, event, fields),
    warn: (event, fields) => logEvent("warn", type, event, fields),
    error: (event, fields) => logEvent("error", type, event, fields),
  };
}

/** The message of a caught error for a log line (cut to `max` characters; Stripe's messages can be long). */
export function errorMessage(error: unknown, max = 300): string {
  return error instanceof Error ? error.message.slice(0, max) : "unknown";
}
