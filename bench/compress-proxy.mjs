// A gzip-compressing proxy in front of `astro preview`, for the Lighthouse pass. The local preview sends everything
// uncompressed, while Cloudflare compresses text responses; Lighthouse's simulated slow 4G times the bytes it sees,
// so without this a page with its stylesheet inline (src/integrations/inline-first-paint.ts) would be timed at
// three times the size it has in production. gzip level 6 stands in for Cloudflare (which sends browsers brotli,
// a little smaller). Bodies are buffered, not streamed: fine for timing first views of small pages.
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";

const COMPRESSIBLE = /^(text\/|application\/(javascript|json|xml|rss\+xml|manifest\+json)|image\/svg\+xml)/;
const HOP_BY_HOP = new Set(["content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"]);

/** Starts the proxy on 127.0.0.1:`port` for `upstream`; resolves with { url, close }. */
export function startCompressingProxy(port, upstream) {
  const server = createServer(async (request, response) => {
    try {
      const headers = { ...request.headers };
      delete headers.host;
      delete headers["accept-encoding"];
      const answer = await fetch(`${upstream}${request.url}`, { method: request.method, headers, redirect: "manual" });
      const body = Buffer.from(await answer.arrayBuffer());
      const out = {};
      answer.headers.forEach((value, name) => { if (!HOP_BY_HOP.has(name) && name !== "set-cookie") out[name] = value; });
      const cookies = answer.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      const gzip = body.length > 0 && COMPRESSIBLE.test(answer.headers.get("content-type") ?? "") && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "");
      const payload = gzip ? gzipSync(body, { level: 6 }) : body;
      if (gzip) {
        out["content-encoding"] = "gzip";
        out.vary = [out.vary, "Accept-Encoding"].filter(Boolean).join(", ");
      }
      out["content-length"] = String(payload.length);
      response.writeHead(answer.status, out);
      response.end(payload);
    } catch (error) {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(`proxy: ${error instanceof Error ? error.message : error}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) }));
  });
}
