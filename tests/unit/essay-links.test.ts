// Which essays an essay links to below its text (functions/essay-links.ts), as the essay pages show them and as the
// Worker's build keeps them for members-only essays (src/integrations/worker-content.ts).
import { describe, expect, it } from "vitest";
import { isPublished, linkCandidates, linkedEssayIds, newestFirst, relatedEssays, type LinkableEssay } from "@functions/essay-links";

const essay = (id: string, day: number, tags: string[], extra: Partial<LinkableEssay["data"]> = {}): LinkableEssay => ({
  id, data: { tags, pubDate: new Date(Date.UTC(2026, 0, day)), membersOnly: false, draft: false, ...extra },
});

const members = essay("members", 20, ["wards", "money"], { membersOnly: true, readMore: "chosen" });
const all = newestFirst([
  members,
  essay("chosen", 1, []),
  essay("two-shared", 2, ["wards", "money"]),
  essay("one-shared-new", 15, ["wards"]),
  essay("one-shared-old", 5, ["money"]),
  essay("one-shared-oldest", 3, ["wards"]),
  essay("unrelated", 19, ["housing"]),
  essay("other-members", 18, ["wards", "money"], { membersOnly: true }),
  essay("draft", 17, ["wards", "money"], { draft: true }),
]);

describe("essay links", () => {
  it("drafts are published only in dev", () => {
    expect(all.filter((e) => isPublished(e, false)).map((e) => e.id)).not.toContain("draft");
    expect(all.filter((e) => isPublished(e, true)).map((e) => e.id)).toContain("draft");
  });

  it("ranks related essays by shared tags, then newest, leaving out itself and its read-more", () => {
    const published = all.filter((e) => isPublished(e, false));
    expect(relatedEssays(members, linkCandidates(members, published)).map((e) => e.id)).toEqual(["two-shared", "one-shared-new", "one-shared-old"]);
  });

  it("a members-only essay links to public essays only; its read-more comes first", () => {
    const published = all.filter((e) => isPublished(e, false));
    expect(linkCandidates(members, published).map((e) => e.id)).not.toContain("other-members");
    expect(linkedEssayIds(members, linkCandidates(members, published))).toEqual(["chosen", "two-shared", "one-shared-new", "one-shared-old"]);
  });

  it("the links picked from every essay are the links picked from only the essays kept for it", () => {
    const published = all.filter((e) => isPublished(e, false));
    const kept = new Set(["members", ...linkedEssayIds(members, linkCandidates(members, published))]);
    const subset = published.filter((e) => kept.has(e.id));
    expect(linkedEssayIds(members, linkCandidates(members, subset))).toEqual(linkedEssayIds(members, linkCandidates(members, published)));
  });
});
