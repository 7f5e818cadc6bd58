// The Worker the worker tests and the server-time benchmark run inside (tests/support/worker-pool.ts). wrangler.toml's
// `main` (src/worker.ts) is Astro's handler, which exists only after a build; those tests call functions/ directly,
// so this entry serves nothing. It consumes the letters queues as src/worker.ts does, so a test that sends to
// env.LETTERS sees miniflare's real queue deliver to the real consumer.
import { handleLettersQueue } from "@functions/letters/runtime";

export default {
  fetch: () => new Response("The worker tests call functions/ directly; this entry serves nothing.", { status: 404 }),
  queue: (batch, env) => handleLettersQueue(batch, env),
} satisfies ExportedHandler<Env>;
