// The RSS feed: full text of every public essay. Members-only essays and strategy pages never appear here.
// Authors go in <dc:creator>: RSS 2.0's <author> must be an email address, and ours are names.
import rss from "@astrojs/rss";
import type { APIContext } from "astro";
import { getContainerRenderer as mdxRenderer } from "@astrojs/mdx";
import { experimental_AstroContainer as AstroContainer } from "astro/container";
import { loadRenderers } from "astro:container";
import { render } from "astro:content";
import { getPublicEssays } from "@src/lib/essays";
import { SITE_DESCRIPTION, SITE_TITLE } from "@src/site";

const DUBLIN_CORE = "http://purl.org/dc/elements/1.1/";

/** Text safe inside an XML element (customData is parsed as XML). */
const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

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
        customData: `<dc:creator>${xmlText(essay.data.author)}</dc:creator>`,
        content: html,
      };
    }),
  );
  return rss({
    title: `${SITE_TITLE} essays`, description: SITE_DESCRIPTION, site: context.site!, items,
    xmlns: { dc: DUBLIN_CORE }, customData: "<language>en-gb</language>",
  });
}
