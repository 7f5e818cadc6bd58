// A local stand-in for Have I Been Pwned's Pwned Passwords range API, for the worker and browser tests (no
// network). GET /range/<5 hex> answers like the real service: one `SUFFIX:COUNT` line (CRLF) per breached SHA-1
// with that prefix, upper case, plus decoy lines with a count of 0 when `Add-Padding: true` is sent; an invalid
// prefix gets 400. It records every range request (path and headers), so tests can check that only a 5-character
// prefix ever left the site. Behaviour is chosen by a path prefix, so tests never change shared state:
//   /range/…        normal answers
//   /hang/range/…   never answers (the site's timeout must give up)
//   /fail/range/…   503, as when the service is down
//   /garbage/range/… 200 with an HTML page instead of a range answer
// Test controls: GET /health, GET /__requests, POST /__breached ({"sha1":"<40 hex>","count":N}: that hash is breached).
// Run: node tests/support/pwned-passwords-stand-in.mjs 12121   (the site points PWNED_PASSWORDS_API at it)
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";

function send(response, status, body, type = "text/plain") {
  response.writeHead(status, { "Content-Type": type });
  response.end(body);
}

/** Starts the stand-in on 127.0.0.1:`port` (0 = any free port); resolves with its base URL and a close function. */
export function startPwnedPasswordsStandIn(port) {
  /** Breached SHA-1 hashes (upper case) → count. */
  const breached = new Map();
  const requests = [];
  const hanging = new Set();

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://stand-in");
      const path = url.pathname;
      if (path === "/health") return send(response, 200, "ok");
      if (path === "/__requests" && request.method === "GET") return send(response, 200, JSON.stringify(requests), "application/json");
      if (path === "/__breached" && request.method === "POST") {
        let body = "";
        for await (const chunk of request) body += chunk;
        const { sha1, count } = JSON.parse(body || "{}");
        if (!/^[0-9a-fA-F]{40}$/.test(String(sha1))) return send(response, 400, "sha1 must be 40 hex characters");
        breached.set(String(sha1).toUpperCase(), Number(count));
        return send(response, 200, "ok");
      }
      const range = /^(?:\/(hang|fail|garbage))?\/range\/([^/]*)$/.exec(path);
      if (range === null || request.method !== "GET") return send(response, 404, "Not found");
      const [, behaviour, prefix] = range;
      const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]));
      requests.push({ path, query: url.search, prefix, behaviour: behaviour ?? "normal", headers, at: Date.now() });
      if (behaviour === "hang") {
        hanging.add(response);
        response.on("close", () => hanging.delete(response));
        return;
      }
      if (behaviour === "fail") return send(response, 503, "Service Unavailable");
      if (behaviour === "garbage") return send(response, 200, "<!doctype html><title>Oops</title><p>Something else answered.</p>", "text/html");
      if (!/^[0-9A-Fa-f]{5}$/.test(prefix)) return send(response, 400, "The hash prefix was not in a valid format");
      const wanted = prefix.toUpperCase();
      const lines = [...breached].filter(([hash]) => hash.startsWith(wanted)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
      if (headers["add-padding"] === "true") {
        for (let i = 0; i < 40; i++) lines.push(`${randomBytes(18).toString("hex").toUpperCase().slice(0, 35)}:0`);
      }
      return send(response, 200, lines.join("\r\n"));
    } catch (error) {
      return send(response, 500, `stand-in failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        close: () => new Promise((done) => {
          for (const response of hanging) response.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const port = Number(process.argv[2] ?? 12121);
  const { url } = await startPwnedPasswordsStandIn(port);
  console.log(`Pwned Passwords stand-in listening on ${url}`);
}
