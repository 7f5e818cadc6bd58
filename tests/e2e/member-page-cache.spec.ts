// Member-only pages are kept per isolate after their first render (src/lib/member-page-cache.ts), which is safe only
// because such a page is the same for every member allowed to read it. Two verified members with their own names
// read every strategy page and the members-only essay, in turn and again: each page is the same bytes every time,
// with the member's text in it and neither member's name or address; each answer still carries its own headers
// (private, no-store, the security policy). Readers the page does not let in (an unverified member, a visitor) get
// no member text after a member's visit kept the page.
import { readdirSync } from "node:fs";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm, type Caller } from "./http";
import { bodySentences, plainText } from "./member-text";
import { joinHttp, verifyHttp, type Member } from "./members";

const PAGES = [
  ...readdirSync("content/strategy").filter((name) => name.endsWith(".mdx")).map((name) => ({ path: `/strategy/${name.replace(/\.mdx$/, "")}/`, file: `content/strategy/${name}` })),
  { path: "/essays/the-first-hundred-members/", file: "content/essays/the-first-hundred-members.mdx" },
];

/** A verified member who has set a display name of their own. */
async function namedMember(request: Parameters<typeof joinHttp>[0], name: string): Promise<Member & { name: string }> {
  const member = await joinHttp(request, uniqueEmail(name.toLowerCase().replace(/\W+/g, "-")));
  await verifyHttp(request, member);
  const rename = await postForm(request, "/account", { ip: member.ip, token: member.token }, { action: "name", displayName: name });
  expect(rename.status()).toBe(303);
  return { ...member, name };
}

test("every member sees the same kept page, naming no one, with the headers of their own answer", async ({ request }) => {
  const ada = await namedMember(request, "Adaline Kettleworth");
  const bo = await namedMember(request, "Bojan Featherstonehaugh");
  for (const page of PAGES) {
    const sentence = bodySentences(page.file)[0]!;
    const bodies: string[] = [];
    for (const member of [ada, bo, ada, bo]) {
      const caller: Caller = { ip: member.ip, token: member.token };
      const response = await get(request, page.path, caller);
      expect(response.status(), page.path).toBe(200);
      expect(response.headers()["content-type"]).toMatch(/^text\/html/);
      expect(response.headers()["cache-control"]).toBe("private, no-store");
      expect(response.headers()["x-public-cache"]).toBe("member");
      expect(response.headers()["content-security-policy"]).toContain("default-src 'self'");
      const body = await response.text();
      expect(plainText(body), `${page.path}: the member's text`).toContain(sentence);
      for (const someone of [ada, bo]) {
        expect(body, `${page.path} names ${someone.name}`).not.toContain(someone.name);
        expect(body, `${page.path} shows ${someone.email}`).not.toContain(someone.email);
      }
      bodies.push(body);
    }
    expect(new Set(bodies).size, `${page.path}: every member got the same page`).toBe(1);
    // The same page asked for without its trailing slash is kept apart, so neither copy carries the other's address.
    const canonical = (html: string) => /<link rel="canonical" href="([^"]+)"/.exec(html)?.[1];
    const bare = await get(request, page.path.slice(0, -1), { ip: bo.ip, token: bo.token });
    expect(bare.status()).toBe(200);
    expect(canonical(await bare.text()), `${page.path} without its slash`).toMatch(new RegExp(`${page.path.slice(0, -1).replace(/\//g, "\\/")}$`));
    const again = await get(request, page.path, { ip: ada.ip, token: ada.token });
    expect(canonical(await again.text()), page.path).toMatch(new RegExp(`${page.path.replace(/\//g, "\\/")}$`));

    const unverified = await joinHttp(request, uniqueEmail("kept-unverified"));
    for (const caller of [{ ip: unverified.ip, token: unverified.token }, { ip: uniqueIp() }] satisfies Caller[]) {
      const response = await get(request, page.path, caller);
      expect(plainText(await response.text()), `${page.path}: a reader who may not read it got the kept page`).not.toContain(sentence);
    }
  }
});
