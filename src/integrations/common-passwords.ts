// A Vite plugin that builds the common-password list into the Worker as data: the module
// `virtual:common-passwords` is generated at build (and test) time from @zxcvbn-ts/language-common's frequency
// list (MIT; passwords from public breach corpora), keeping every entry of PASSWORD_MIN characters or more
// (shorter ones fail the length rule anyway), sorted and front-coded with the package's own compression
// (@zxcvbn-ts/dictionary-compression). functions/auth/common-passwords.ts decompresses it into a Set at first use.
// Used by astro.config.mjs and vitest.config.ts; the list is never a source file in git.
import { createRequire } from "node:module";
import compress from "@zxcvbn-ts/dictionary-compression/compress";
import type { Plugin } from "vite";
import { PASSWORD_MIN } from "../../functions/auth/passwords";

const MODULE_ID = "virtual:common-passwords";
const RESOLVED_ID = `\0${MODULE_ID}`;

/** The package's passwords of PASSWORD_MIN+ characters, lower-cased, unique and sorted (for the front coding). */
export function commonPasswordEntries(): string[] {
  const passwords = createRequire(import.meta.url)("@zxcvbn-ts/language-common/src/passwords.json") as string[];
  const long = passwords.map((password) => password.toLowerCase()).filter((password) => [...password].length >= PASSWORD_MIN);
  return [...new Set(long)].sort();
}

/** The plugin: resolves `virtual:common-passwords` to `export default "<front-coded list>"`. */
export function commonPasswords(): Plugin {
  return {
    name: "smallism-common-passwords",
    resolveId(id) {
      return id === MODULE_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      const entries = commonPasswordEntries();
      // The front coding marks each entry with one capital letter, so entries must have none (lower-cased above).
      const encoded = compress(entries);
      if (typeof encoded !== "string") throw new Error("common passwords: the list could not be compressed");
      return `export default ${JSON.stringify(encoded)};\nexport const COUNT = ${entries.length};\n`;
    },
  };
}
