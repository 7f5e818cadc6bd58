// Reads Cloudflare's `_headers` file format, for the unit test of public/_headers (tests/unit/headers.test.ts) and the
// build check of the copy in dist/client (tests/build/headers.test.ts).

/** One rule of a `_headers` file: a URL pattern and what it sets and detaches. */
export interface HeaderRule {
  path: string;
  /** Headers set by the rule, in file order ([name, value]; names as written). */
  set: Array<[string, string]>;
  /** Header names detached with "! Name" (removed from what broader rules set). */
  detach: string[];
}

/** Parses a Cloudflare Pages/Workers-assets `_headers` file: a URL pattern on its own line, then indented
 *  "Name: value" or "! Name" lines; "#" starts a comment line. Throws on lines it does not understand. */
export function parseHeadersFile(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      rules.push({ path: line.trim(), set: [], detach: [] });
      continue;
    }
    const rule = rules.at(-1);
    if (rule === undefined) throw new Error(`_headers line ${index + 1}: header before any path`);
    const detach = /^\s+!\s*([A-Za-z0-9-]+)\s*$/.exec(line);
    const header = /^\s+([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (detach) rule.detach.push(detach[1]!);
    else if (header) rule.set.push([header[1]!, header[2]!]);
    else throw new Error(`_headers line ${index + 1}: cannot read ${JSON.stringify(line)}`);
  }
  return rules;
}

/** The headers the rules give a path, as Cloudflare merges them: every matching rule in file order ("*" matches
 *  anything), "! Name" removing what earlier matching rules set. Names lower-cased. */
export function headersFor(rules: HeaderRule[], pathname: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const matches = (pattern: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(pathname);
  for (const rule of rules.filter((candidate) => matches(candidate.path))) {
    for (const name of rule.detach) headers.delete(name.toLowerCase());
    for (const [name, value] of rule.set) headers.set(name.toLowerCase(), [...(headers.get(name.toLowerCase()) ?? []), value]);
  }
  return headers;
}
