// Keeps public content out of the Worker. Astro bundles its whole content store, and every MDX entry's compiled
// module, into any server build whose on-demand pages import `astro:content` (withastro/astro #6350, #10552): every
// public essay would grow the Worker although the Worker never serves one (they are prerendered). This plugin
// rewrites the three generated modules the Worker's build (Vite's `ssr` environment) reads, so they hold only what
// on-demand pages render:
//   - the content store: every strategy page, the published members-only essays, and the public essays a
//     members-only essay links to below its text (its read-more and related cards: titles, descriptions, tags and
//     the text's length for the reading time; at most four per members-only essay, whatever the site's size);
//   - the compiled MDX modules, and the images entries import: strategy pages and members-only essays only.
// Prerendered pages, the feed, search and social cards run in Node (the `prerender` environment) and see everything.
// A collection the Worker has no rule for stops the build, so a new one must be declared public or member-only here.
// Applied to `astro dev` too, so on-demand pages show in dev exactly what they show in production.
// tests/build/worker-content.test.ts builds 200 extra public essays and checks that none of them reaches the Worker.
import { readFileSync } from "node:fs";
import type { AstroIntegration } from "astro";
import { AstroError } from "astro/errors";
import * as devalue from "devalue";
import type { Plugin } from "vite";
import { isPublished, linkCandidates, linkedEssayIds, newestFirst, type LinkableEssay } from "@functions/essay-links";

/** What the Worker keeps of each collection: all of it (member-only collections) or only what members-only
 *  essays need. Astro's own bookkeeping collection ("meta::meta": digests and versions, no content) is kept. */
const WORKER_COLLECTIONS: Record<string, "all" | "members-only essays"> = {
  strategy: "all",
  essays: "members-only essays",
  "meta::meta": "all",
};

/** Astro's generated modules (astro/dist/content/consts.js): the store, and the maps of MDX modules and images. */
const DATA_STORE_ID = "\0astro:data-layer-content";
const MODULES_ID = /(^\0astro:content-module-imports$|[\\/]\.astro[\\/]content-modules\.mjs$)/;
const ASSETS_ID = /[\\/]\.astro[\\/]content-assets\.mjs$/;
const STORE_CODE = /^export default JSON\.parse\(("(?:[^"\\]|\\.)*")\)\s*$/;

/** An entry as the store holds it (essays' data satisfy LinkableEssay: the schema gives every field a default). */
interface StoredEntry { id: string; filePath?: string; data: Record<string, unknown> }
type Store = Map<string, Map<string, StoredEntry>>;

/** The entries the Worker keeps: `stored` (slugs in the content store, per collection) and `rendered` (source
 *  files whose compiled modules and images it keeps: the member-only ones, which on-demand pages render). */
function workerEntries(store: Store, dev: boolean): { stored: Map<string, Set<string>>; rendered: Set<string> } {
  const stored = new Map<string, Set<string>>();
  const rendered = new Set<string>();
  for (const [collection, entries] of store) {
    const rule = WORKER_COLLECTIONS[collection];
    if (rule === undefined) {
      throw new AstroError(
        `The content collection "${collection}" has no rule for the Worker.`,
        `Say in src/integrations/worker-content.ts whether the Worker needs it (member-only content) or not (public content, prerendered).`,
      );
    }
    const keep = new Set<string>();
    if (rule === "all") {
      for (const key of entries.keys()) keep.add(key);
    } else {
      const published = newestFirst([...entries.values()] as unknown as LinkableEssay[]).filter((essay) => isPublished(essay, dev));
      for (const essay of published.filter((candidate) => candidate.data.membersOnly)) {
        keep.add(essay.id);
        for (const id of linkedEssayIds(essay, linkCandidates(essay, published))) keep.add(id);
      }
    }
    for (const key of keep) {
      const entry = entries.get(key);
      const memberOnly = rule === "all" || entry?.data?.membersOnly === true;
      if (memberOnly && typeof entry?.filePath === "string") rendered.add(entry.filePath);
    }
    stored.set(collection, keep);
  }
  return { stored, rendered };
}

/** The store with only the entries `workerEntries` keeps. */
function filterStore(store: Store, stored: Map<string, Set<string>>): Store {
  return new Map([...store].map(([collection, entries]) => [
    collection,
    new Map([...entries].filter(([id]) => stored.get(collection)!.has(id))),
  ]));
}

/** Lines of a generated `new Map([[key, value], ...])` module kept when `keep(key)`; a line of another shape means
 *  Astro changed its format, which must stop the build rather than let every entry through. */
function filterMapModule(code: string, keep: (key: string) => boolean, what: string): string {
  if (/^\s*export default new Map\(\);?\s*$/.test(code)) return code;
  const pair = /\[("(?:[^"\\]|\\.)*"), (\(\) => import\("(?:[^"\\]|\\.)*"\)|__ASTRO_IMAGE_IMPORT_\d+)\]/g;
  const pairs = [...code.matchAll(pair)];
  const imports = [...code.matchAll(/^import (__ASTRO_IMAGE_IMPORT_\d+) from ("(?:[^"\\]|\\.)*");$/gm)];
  const kept = pairs.filter(([, key]) => keep(JSON.parse(key!) as string));
  const used = new Set(kept.map(([, , value]) => value));
  const expected = code.replace(pair, "").replace(/^import __ASTRO_IMAGE_IMPORT_\d+ from "(?:[^"\\]|\\.)*";$/gm, "");
  if (!/^\s*export default new Map\(\[[\s,]*\]\);?\s*$/.test(expected)) {
    throw new AstroError(`Astro's ${what} module has a shape src/integrations/worker-content.ts does not know.`, "Update the plugin for this Astro version.");
  }
  return [
    ...imports.filter(([, symbol]) => used.has(symbol!)).map(([line]) => line),
    `export default new Map([${kept.map(([, key, value]) => `[${key}, ${value}]`).join(",\n")}]);`,
  ].join("\n");
}

/** The Vite plugin: rewrites the store, module and image maps in the Worker's build only. */
function workerContentPlugin(storeFile: () => URL, dev: boolean): Plugin {
  const entries = () => workerEntries(devalue.parse(readFileSync(storeFile(), "utf8")) as Store, dev);
  return {
    name: "smallism-worker-content",
    applyToEnvironment: (environment) => environment.name === "ssr",
    transform: {
      order: "post",
      filter: { id: [new RegExp(`^${DATA_STORE_ID}$`), MODULES_ID, ASSETS_ID] },
      handler(code, id) {
        if (id === DATA_STORE_ID) {
          if (/^export default new Map\(\)/.test(code)) return null;
          const literal = STORE_CODE.exec(code)?.[1];
          if (literal === undefined) throw new AstroError("Astro's content store module has a shape src/integrations/worker-content.ts does not know.", "Update the plugin for this Astro version.");
          const store = devalue.parse(JSON.parse(literal) as string) as Store;
          const kept = filterStore(store, workerEntries(store, dev).stored);
          return { code: `export default JSON.parse(${JSON.stringify(devalue.stringify(kept))})`, map: { mappings: "" } };
        }
        const { rendered } = entries();
        if (MODULES_ID.test(id)) return { code: filterMapModule(code, (file) => rendered.has(file), "content modules"), map: { mappings: "" } };
        // Image keys end in "importer=<the entry's file, URL-encoded>".
        const importer = (key: string) => decodeURIComponent(/[?&]importer=([^&]*)$/.exec(key)?.[1] ?? "");
        return { code: filterMapModule(code, (key) => rendered.has(importer(key)), "content images"), map: { mappings: "" } };
      },
    },
  };
}

/** The integration astro.config.mjs adds. */
export default function workerContent(): AstroIntegration {
  return {
    name: "smallism-worker-content",
    hooks: {
      "astro:config:setup": ({ command, config, updateConfig }) => {
        const dev = command === "dev";
        // Where Astro keeps the store it generates the module from (astro/dist/content/paths.js): the project's
        // .astro/ in dev, the cache directory in a build. Read when the plugin runs, after the config is final.
        const storeFile = () => new URL("data-store.json", dev ? new URL(".astro/", config.root) : config.cacheDir);
        updateConfig({ vite: { plugins: [workerContentPlugin(storeFile, dev)] } });
      },
    },
  };
}
