/**
 * The timeline's text as chromium drew it: pairs of labels (and lane names)
 * whose boxes overlap. The screenshot script refuses to write a picture
 * with any, and the page's browser test asserts there are none.
 */
import type * as Playwright from 'playwright-core';

/** What this needs of an SVG <text> element (the DOM's types are not in the Node build). */
interface DrawnText {
  textContent: string | null;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
}

/** "a / b" for each pair of overlapping texts in the page's timeline; empty when none overlap. */
export async function overlappingLabels(page: Playwright.Page): Promise<string[]> {
  const texts = page.locator('#timeline svg text.mark-label, #timeline svg text.lane-name');
  return await texts.evaluateAll((drawn: DrawnText[]) => {
    const boxes = drawn.map((text) => ({ text: text.textContent ?? '', box: text.getBoundingClientRect() }));
    const out: string[] = [];
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) {
        const apart =
          a.box.right <= b.box.left + 0.5 ||
          b.box.right <= a.box.left + 0.5 ||
          a.box.bottom <= b.box.top + 0.5 ||
          b.box.bottom <= a.box.top + 0.5;
        if (!apart) out.push(`${a.text} / ${b.text}`);
      }
    });
    return out;
  });
}
