// The import aliases of tsconfig.json ("paths"), for Vitest: Astro and Playwright read tsconfig.json themselves.
import { fileURLToPath } from "node:url";

const at = (folder: string): string => fileURLToPath(new URL(`../../${folder}/`, import.meta.url));

/** `@functions/…`, `@src/…` and `@tests/…` resolve to the project's top-level folders. */
export const aliases: Record<string, string> = {
  "@functions/": at("functions"),
  "@src/": at("src"),
  "@tests/": at("tests"),
};
