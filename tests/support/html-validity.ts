// html-validate with the project's rules (.htmlvalidate.json at the root), for the build checks over dist/client and
// the browser tests over on-demand pages as served: one validator, one message format, shared by both layers.
import { resolve } from "node:path";
import { FileSystemConfigLoader, HtmlValidate, type Message } from "html-validate";

const ROOT = new URL("../..", import.meta.url).pathname;
const validator = new HtmlValidate(new FileSystemConfigLoader());

/** The problems html-validate finds in one document, one line each ("name 3:12 rule: message"); empty when valid.
 *  `name` says where the HTML came from (a dist/client path, or a URL as served). */
export async function htmlProblems(html: string, name: string): Promise<string[]> {
  // A file name inside the project makes html-validate use the root .htmlvalidate.json (and only that: it is "root").
  const report = await validator.validateString(html, resolve(ROOT, "served.html"));
  return report.results.flatMap((result) => result.messages.map((message: Message) => `${name} ${message.line}:${message.column} ${message.ruleId}: ${message.message}`));
}
