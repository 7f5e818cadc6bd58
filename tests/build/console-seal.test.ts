// Build checks: the staff console never reaches dist/client, which Cloudflare serves to anyone. No file is built
// under /admin/, and no console wording (page headings, the enrolment and recovery-code texts, the refusal page)
// is in any client file, while the Worker holds it all (the control: each phrase is really the console's).
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { beforeAll, describe, expect, it } from "vitest";
import { CLIENT, rel, walk } from "./dist";
import { builtHaystacks, filesContaining, type Haystack } from "./haystacks";

/** Phrases only console pages say. */
const CONSOLE_PHRASES = [
  "Staff see members' data, so the console asks for a code from an authenticator app",
  "each of these codes lets you in once instead of a code from the app",
  "This page is not open to you",
  "Every action taken in the console or with",
  "They need an account with a verified email address",
];

let client: Haystack[];
let server: Haystack[];
beforeAll(() => {
  ({ client, server } = builtHaystacks());
});

describe("the staff console is sealed", () => {
  it("builds no file under /admin/ in dist/client", () => {
    expect(walk(CLIENT).map((file) => rel(file)).filter((path) => /^admin(\/|$)/.test(path))).toEqual([]);
  });

  it.each(CONSOLE_PHRASES)("%s: in the Worker, nowhere in dist/client", (phrase) => {
    expect(filesContaining(server, phrase).length, "the Worker serves it").toBeGreaterThan(0);
    expect(filesContaining(client, phrase).map((file) => rel(file))).toEqual([]);
  });
});
