// The RSS feed: full text of every public essay. Members-only essays and strategy pages never appear here.
// Authors go in <dc:creator>: RSS 2.0's <author> must be an email address, and ours are names.
// A person who opens the feed in a browser sees it styled by the site's own stylesheet (an <?xml-stylesheet?>
// CSS link; its "Feed" rules match only this document), with a short XHTML note in the channel saying what a feed
// is and linking to /feed/. Feed readers ignore both. XSLT is not used: browsers are removing it, and Chromium
// already covers XSLT pages with a removal warning.
import rss from "@astrojs/rss";
import type { APIContext } from "astro";
import { getContainerRenderer as mdxRenderer } from "@astrojs/mdx";
import { experimental_AstroContainer as AstroContainer } from "astro/container";
import { loadRenderers } from "astro:container";
import { render } from "astro:content";
import { getPublicEssays } from "@src/lib/essays";
import { SITE_DESCRIPTION, SITE_TITLE } from "@src/site";
import siteStylesheet from "@src/styles/global.css?url";

const DUBLIN_CORE = "http://purl.org/dc/elements/1.1/";
const XHTML = "http://www.w3.org/1999/xhtml";

/** Text safe inside an XML element (customData is parsed as XML). */
const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The note a browser shows above the items. Each element holds only text or only elements: the feed library
 *  re-parses customData and would reorder mixed content. */
function browserNote(origin: string): string {
  return `<h:div class="feed-note">`
    + `<h:p>This is a web feed, also called RSS: a list of new essays that feed reader apps check for you. Nothing here tracks you, and no account or email address is needed.</h:p>`
    + `<h:p>To follow Smallism, copy this page's address from your browser's address bar into your feed reader.</h:p>`
    + `<h:ul><h:li><h:a href="${origin}/feed/">How to follow Smallism by RSS</h:a></h:li><h:li><h:a href="${origin}/essays/">Read the essays on the site</h:a></h:li><h:li><h:a href="${origin}/letters/">Letters we have emailed to members</h:a></h:li></h:ul>`
    + `</h:div>`;
}

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
    stylesheet: siteStylesheet,
    xmlns: { dc: DUBLIN_CORE, h: XHTML }, customData: `<language>en-gb</language>${browserNote(context.site!.origin)}`,
  });
}
