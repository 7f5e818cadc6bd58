// The Worker the worker tests run inside. wrangler.toml's `main` (src/worker.ts) is Astro's handler, which exists
// only after a build; these tests call functions/ directly, so vitest.config.ts gives the plugin this entry instead
// and takes everything else (compatibility date and flags, D1, vars) from wrangler.toml.
export default {
  fetch: () => new Response("The worker tests call functions/ directly; this entry serves nothing.", { status: 404 }),
} satisfies ExportedHandler;
