// A local stand-in for the letters provider, Amazon SES v2 and the SNS topic its events come through, for the
// worker tests, the browser tests and the bench (no network). It:
// - answers POST /v2/email/outbound-emails as SendEmail does ({"MessageId": …}), after checking the request's AWS
//   Signature V4 with the test keys (aws4fetch recomputes it), and records every letter it accepted (to, subject,
//   both parts, headers, tags);
// - fails on command: POST /__fail {"rate": 0.1, "seed": 7} fails that share of calls with 503 ServiceUnavailable
//   (a seeded sequence, so a run is repeatable), {"next": 3, "status": 400, "type": "MessageRejected"} the next 3;
// - signs SNS messages as SNS does (SignatureVersion 2, RSA-SHA256) under its own certificate, served at
//   /sns/cert.pem: POST /__sns/sign {fields} answers the signed message; {"forge": true} signs with a key whose
//   certificate it never serves; GET /sns/confirm?token=… is the SubscribeURL and records the confirmation.
// Test controls: GET /health, GET /__requests (letters), GET /__stats (calls, letters, distinct recipients, repeats:
// what the bench reads, without the bodies), GET /__confirmations, POST /__reset. With { keepBodies: false } (the
// bench) it keeps only each letter's recipient and tags.
// Run: node tests/support/letters-provider-stand-in.mjs 12220 (the site points LETTERS_API_BASE at it)
import { createServer } from "node:http";
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { AwsV4Signer } from "aws4fetch";
import { STAND_IN_KEYS, STAND_IN_TOPIC } from "./letters-stand-in-keys.mjs";
// A seeded generator (mulberry32), so "fail 10% of calls" fails the same calls on every run.
import { random } from "../../bench/generate-content.mjs";

const CERT = readFileSync(new URL("./letters-stand-in-cert.pem", import.meta.url), "utf8");
const KEY = readFileSync(new URL("./letters-stand-in-key.pem", import.meta.url), "utf8");
const FORGER = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

function send(response, status, body, headers = {}) {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function readBody(request) {
  let body = "";
  for await (const chunk of request) body += chunk;
  return body;
}

/** The text SNS signs (the same rule the site's functions/letters/provider-events.ts checks, written independently). */
function stringToSign(m) {
  const keys = m.Type === "Notification"
    ? ["Message", "MessageId", ...(m.Subject !== undefined ? ["Subject"] : []), "Timestamp", "TopicArn", "Type"]
    : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return keys.map((k) => `${k}\n${m[k]}\n`).join("");
}


async function signatureHolds(request, url, body) {
  const authorization = request.headers.authorization ?? "";
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/ses\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(authorization);
  if (!match || match[1] !== STAND_IN_KEYS.accessKeyId) return false;
  const signed = match[4].split(";");
  const headers = Object.fromEntries(signed.filter((h) => h !== "host").map((h) => [h, String(request.headers[h] ?? "")]));
  const signer = new AwsV4Signer({
    method: request.method, url, headers, body, accessKeyId: STAND_IN_KEYS.accessKeyId, secretAccessKey: STAND_IN_KEYS.secretAccessKey,
    service: "ses", region: match[3], datetime: String(request.headers["x-amz-date"] ?? ""),
  });
  const expected = (await signer.sign()).headers.get("authorization");
  return expected === authorization;
}

/** Starts the stand-in on 127.0.0.1:`port` (0 = any free port); resolves with its base URL and a close function. */
export function startLettersProviderStandIn(port, { keepBodies = true } = {}) {
  let letters = [];
  const recipients = new Map();
  let confirmations = [];
  let failure = { rate: 0, random: Math.random, next: 0, status: 503, type: "ServiceUnavailable" };
  let calls = 0;
  let base = "";

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", base);
      const path = url.pathname;
      if (path === "/health") return send(response, 200, "ok", { "Content-Type": "text/plain" });
      if (path === "/sns/cert.pem") return send(response, 200, CERT, { "Content-Type": "application/x-pem-file" });
      if (path === "/sns/confirm") {
        confirmations.push(url.searchParams.get("token"));
        return send(response, 200, "<ConfirmSubscriptionResponse/>", { "Content-Type": "text/xml" });
      }
      if (path === "/__requests") return send(response, 200, { letters, calls });
      if (path === "/__stats") {
        const repeats = [...recipients.values()].filter((n) => n > 1).length;
        return send(response, 200, { calls, letters: letters.length, recipients: recipients.size, repeats });
      }
      if (path === "/__confirmations") return send(response, 200, confirmations);
      if (path === "/__reset" && request.method === "POST") {
        letters = []; confirmations = []; calls = 0; recipients.clear();
        failure = { rate: 0, random: Math.random, next: 0, status: 503, type: "ServiceUnavailable" };
        return send(response, 200, { ok: true });
      }
      if (path === "/__fail" && request.method === "POST") {
        const options = JSON.parse((await readBody(request)) || "{}");
        failure = {
          rate: Number(options.rate ?? 0), random: random(Number(options.seed ?? 1)), next: Number(options.next ?? 0),
          status: Number(options.status ?? 503), type: String(options.type ?? (Number(options.status ?? 503) >= 500 ? "ServiceUnavailable" : "MessageRejected")),
        };
        return send(response, 200, { ok: true });
      }
      if (path === "/__sns/sign" && request.method === "POST") {
        const fields = JSON.parse((await readBody(request)) || "{}");
        const { forge, ...rest } = fields;
        const message = {
          Type: "Notification", MessageId: randomUUID(), TopicArn: STAND_IN_TOPIC, Timestamp: new Date().toISOString(),
          SignatureVersion: "2", SigningCertURL: `${base}/sns/cert.pem`, ...rest,
        };
        if (message.Type === "SubscriptionConfirmation") {
          message.Token ??= randomUUID();
          message.SubscribeURL ??= `${base}/sns/confirm?token=${message.Token}`;
          message.Message ??= "You have chosen to subscribe to the topic.";
        }
        message.Signature = sign("sha256", Buffer.from(stringToSign(message)), forge ? FORGER : KEY).toString("base64");
        return send(response, 200, message);
      }
      if (path === "/v2/email/outbound-emails" && request.method === "POST") {
        const body = await readBody(request);
        if (!(await signatureHolds(request, url.href, body))) return send(response, 403, { message: "The request signature we calculated does not match" }, { "x-amzn-ErrorType": "SignatureDoesNotMatch" });
        calls++;
        const failNow = failure.next > 0 ? (failure.next--, true) : failure.rate > 0 && failure.random() < failure.rate;
        if (failNow) return send(response, failure.status, { message: `stand-in failure (${failure.type})` }, { "x-amzn-ErrorType": `${failure.type}:` });
        const input = JSON.parse(body);
        const simple = input.Content.Simple;
        const messageId = `stand-in-${randomUUID()}`;
        const key = `${input.Destination.ToAddresses[0]} ${(input.EmailTags ?? []).find((t) => t.Name === "letter")?.Value ?? ""}`;
        recipients.set(key, (recipients.get(key) ?? 0) + 1);
        if (!keepBodies) {
          letters.push({ to: input.Destination.ToAddresses });
          return send(response, 200, { MessageId: messageId });
        }
        letters.push({
          messageId, from: input.FromEmailAddress, to: input.Destination.ToAddresses, subject: simple.Subject.Data,
          text: simple.Body.Text.Data, html: simple.Body.Html.Data,
          headers: Object.fromEntries((simple.Headers ?? []).map((h) => [h.Name, h.Value])),
          tags: Object.fromEntries((input.EmailTags ?? []).map((t) => [t.Name, t.Value])),
          configurationSet: input.ConfigurationSetName ?? null,
        });
        return send(response, 200, { MessageId: messageId });
      }
      return send(response, 404, { message: "not found" });
    } catch (error) {
      return send(response, 500, { message: String(error) });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      base = `http://127.0.0.1:${server.address().port}`;
      resolve({ url: base, close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const port = Number(process.argv[2] ?? 12220);
  const { url } = await startLettersProviderStandIn(port);
  console.log(`Letters provider stand-in listening on ${url}`);
}
