// The widths and sizes of an essay's pictures, in one place for the <picture> (EssayFigure.astro) and the hero's
// preload in the page's <head> (BaseLayout's `preloadImage`): the preload must name exactly the candidates the
// picture's AVIF source offers, or the browser would fetch the hero twice. The preload lets the hero's request go
// out as the head is read, ahead of the page's scripts, on the connection the page came on (its largest paint).
import { getImage } from "astro:assets";
import type { ImageMetadata } from "astro";

/** Candidate widths: phones at 2-3x, the 38rem column at 1x and 2x. Never wider than the original. */
const WIDTHS = [480, 720, 960, 1280];

/** The column is min(100% - 2.5rem, 38rem) wide (.measure in global.css). */
export const FIGURE_SIZES = "(min-width: 40.5rem) 38rem, calc(100vw - 2.5rem)";

/** The widths a figure of `image` is made at. */
export function figureWidths(image: ImageMetadata): number[] {
  return image.width >= WIDTHS.at(-1)! ? WIDTHS : [...WIDTHS.filter((width) => width < image.width), image.width];
}

/** What a hero preload names: the AVIF candidates of its picture, their sizes and type. */
export interface ImagePreload { srcset: string; sizes: string; type: string }

/** The preload for an essay's hero picture (the same AVIF files EssayFigure's first <source> lists). */
export async function heroPreload(image: ImageMetadata): Promise<ImagePreload> {
  const avif = await getImage({ src: image, format: "avif", widths: figureWidths(image), sizes: FIGURE_SIZES });
  return { srcset: avif.srcSet.attribute, sizes: FIGURE_SIZES, type: "image/avif" };
}
