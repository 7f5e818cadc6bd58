// Essay pictures in a real browser: Chromium picks the AVIF source of the hero at the width that suits the screen
// and its density (in the first view on a desktop), and the hero's box has its final size before the picture
// arrives (the width and height attributes), so nothing moves when it does. Phone and desktop.
import { test, expect } from "./fixtures";

const HERO_ESSAY = "/essays/the-case-for-small-wards/";

for (const [name, viewport, deviceScaleFactor] of [["phone", { width: 390, height: 844 }, 3], ["desktop", { width: 1280, height: 900 }, 1]] as const) {
  test.describe(name, () => {
    test.use({ viewport, deviceScaleFactor });

    test("the hero is an AVIF of the width that suits the screen", async ({ page }) => {
      await page.goto(HERO_ESSAY, { waitUntil: "load" });
      const hero = page.locator(".essay-figure img").first();
      await expect(hero).toBeVisible();
      const picked = await hero.evaluate(async (img: HTMLImageElement) => {
        await img.decode();
        // naturalWidth is in CSS pixels (divided by the candidate's density), so the file's width comes from srcset.
        const srcset = img.parentElement!.querySelector('source[type="image/avif"]')!.getAttribute("srcset")!;
        const widths = new Map(srcset.split(",").map((candidate) => candidate.trim().split(/\s+/)).map(([url, w]) => [new URL(url!, location.href).href, Number.parseInt(w!, 10)]));
        return { src: img.currentSrc, fileWidth: widths.get(img.currentSrc), widths: [...widths.values()], shown: img.getBoundingClientRect().width, top: img.getBoundingClientRect().top };
      });
      expect(picked.src).toMatch(/\/_astro\/[^/]+\.avif$/);
      // The browser takes the smallest candidate covering the shown width at the screen's density (or the largest).
      const needed = Math.ceil(picked.shown * deviceScaleFactor);
      expect(picked.fileWidth, `${picked.src} among ${picked.widths}`).toBe(picked.widths.find((width) => width >= needed) ?? Math.max(...picked.widths));
      // On a desktop screen the hero is part of the first view (on a phone the essay's head comes first).
      if (name === "desktop") expect(picked.top, "the hero starts within the first screen").toBeLessThan(viewport.height);
    });

    test("the hero's box has its final size before the picture arrives, so nothing moves when it does", async ({ page }) => {
      // Hold every AVIF back until the page has been measured without it.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route("**/*.avif", async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(HERO_ESSAY, { waitUntil: "domcontentloaded" });
      const hero = page.locator(".essay-figure img").first();
      const box = () => hero.evaluate((img: HTMLImageElement) => ({ complete: img.complete && img.naturalWidth > 0, ...img.getBoundingClientRect().toJSON() as DOMRect }));
      const before = await box();
      expect(before.complete, "the picture is still on its way").toBe(false);
      expect(before.height / before.width).toBeCloseTo(0.5, 2); // the sample hero is 1920×960
      const paragraph = await page.locator(".prose p").first().boundingBox();
      release();
      await expect.poll(async () => (await box()).complete).toBe(true);
      const after = await box();
      expect([after.top, after.width, after.height]).toEqual([before.top, before.width, before.height]);
      expect(await page.locator(".prose p").first().boundingBox(), "the text under it stays put").toEqual(paragraph);
    });
  });
}

test("the hero's caption and credit are shown under it", async ({ page }) => {
  await page.goto(HERO_ESSAY);
  const figure = page.locator("figure.essay-figure").first();
  await expect(figure.locator("figcaption")).toContainText("A town of small wards.");
  await expect(figure.locator(".figure-credit")).toHaveText("Illustration: Smallism");
});
