// The Worker the worker tests and the server-time benchmark run inside (tests/support/worker-pool.ts). wrangler.toml's
// `main` (src/worker.ts) is Astro's handler, which exists only after a build; those tests call functions/ directly,
// so this entry serves nothing.
export default {
  fetch: () => new Response("The worker tests call functions/ directly; this entry serves nothing.", { status: 404 }),
} satisfies ExportedHandler;
