// Site-wide constants: names, navigation and defaults used by layouts, feeds, pages and the content schema.
export const SITE_TITLE = "Smallism";
export const SITE_TAGLINE = "Local services, owned by the people who use them.";
export const SITE_DESCRIPTION =
  "Smallism is a civic movement for customer-owned local services, organised in small wards, where the people who use a service balance its price, quality and pay.";
export const DEFAULT_AUTHOR = "Smallism editorial team";

export const NAV_LINKS = [
  { href: "/essays/", label: "Essays" },
  { href: "/strategy/", label: "Strategy" },
  { href: "/about/", label: "About" },
  { href: "/search/", label: "Search" },
  { href: "/donate", label: "Donate" },
] as const;

/** The size of every social card (Open Graph and X/Twitter large image), in pixels. */
export const SOCIAL_CARD_SIZE = { width: 1200, height: 630 } as const;
