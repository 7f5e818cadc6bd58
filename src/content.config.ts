// Content collections: the public essays and the member-only strategy pages, both MDX files in content/.
// Schemas are the contract for editors; README "Writing an essay" documents every field.
import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { z } from "astro/zod";
import { DEFAULT_AUTHOR } from "@src/site";

// Benchmarks point this at generated content (bench/); everyone else uses ./content.
const contentDir = process.env.SMALLISM_CONTENT_DIR ?? "./content";

const essays = defineCollection({
  loader: glob({ pattern: "**/*.mdx", base: `${contentDir}/essays` }),
  schema: ({ image }) =>
    z.object({
      title: z.string().min(1).max(90),
      description: z.string().min(1).max(200),
      pubDate: z.coerce.date(),
      updatedDate: z.coerce.date().optional(),
      author: z.string().default(DEFAULT_AUTHOR),
      tags: z.array(z.string().regex(/^[a-z0-9-]+$/, "tags are lower-case-with-hyphens")).default([]),
      draft: z.boolean().default(false),
      /** Members-only essays follow the strategy section's rules: teaser for visitors, text for members. */
      membersOnly: z.boolean().default(false),
      /** Slug of one other essay to recommend as "read more about …". */
      readMore: z.string().optional(),
      /** A picture at the top of the essay, optimised at build time (src/components/EssayFigure.astro). */
      hero: z
        .object({
          image: image(),
          alt: z.string().min(1, "hero images need alt text"),
          /** Shown under the picture, e.g. what it shows or where. */
          caption: z.string().min(1).max(200).optional(),
          /** Who made it, e.g. "Illustration: Smallism". */
          credit: z.string().min(1).max(100).optional(),
        })
        .optional(),
    })
      // Members-only essays render on demand in the Worker, which cannot optimise images (no sharp in workerd,
      // and Cloudflare Images is a paid binding): their pictures would go out unresized, so they are refused.
      .refine((data) => !(data.membersOnly && data.hero), {
        message: "hero images are for public essays: a members-only essay renders in the Worker, where images are not optimised",
        path: ["hero"],
      }),
});

const strategy = defineCollection({
  loader: glob({ pattern: "**/*.mdx", base: `${contentDir}/strategy` }),
  schema: z.object({
    title: z.string().min(1).max(90),
    /** The only public text of a strategy page. */
    summary: z.string().min(1).max(320),
    order: z.number().int(),
    section: z.string().default("Strategy"),
    updatedDate: z.coerce.date(),
  }),
});

export const collections = { essays, strategy };
