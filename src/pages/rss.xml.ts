// The RSS feed: full text of every public essay. Members-only essays and strategy pages never appear here.
import rss from "@astrojs/rss";
import type { APIContext } from "astro";
import { getContainerRenderer as mdxRenderer } from "@astrojs/mdx";
import { experimental_AstroContainer as AstroContainer } from "astro/container";
import { loadRenderers } from "astro:container";
import { render } from "astro:content";
import { getPublicEssays } from "../lib/essays";
import { SITE_DESCRIPTION, SITE_TITLE } from "../site";

export async function GET(context: APIContext): Promise<Response> {
  const container = await AstroContainer.create({ renderers: await loadRenderers([mdxRenderer()]) });
  const essays = await getPublicEssays();
  const items = await Promise.all(
    essays.map(async (essay) => {
      const { Content } = await render(essay);
      // Links in essays are site-relative; feed readers need them absolute.
      const html = (await container.renderToString(Content)).replace(/(href|src)="\//g, `$1="${context.site!.origin}/`);
      return {
        title: essay.data.title,
        description: essay.data.description,
        pubDate: essay.data.pubDate,
        link: `/essays/${essay.id}/`,
        categories: essay.data.tags,
        author: essay.data.author,
        content: html,
      };
    }),
  );
  return rss({ title: `${SITE_TITLE} essays`, description: SITE_DESCRIPTION, site: context.site!, items, customData: "<language>en-gb</language>" });
}
