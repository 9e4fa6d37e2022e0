// Screenshots for a person to look at (artifacts/, not committed): the home,
// a guide and the contact page, at 360 px and 1280 px, in Italian and Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, ARTIFACTS, launch, newContext, pagesOfKind } from '../lib/env.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of ['it', 'ar']) {
  const kinds = pagesOfKind(lang);
  for (const kind of ['home', 'guide', 'contact']) {
    for (const width of [360, 1280]) {
      test(`screenshot: ${kind} (${lang}) at ${width}px`, async () => {
        const context = await newContext(browser, { viewport: { width, height: 800 } });
        const page = await context.newPage();
        const res = await page.goto(BASE + kinds[kind]);
        assert.equal(res.status(), 200);
        const file = join(ARTIFACTS, `${kind}-${lang}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // Nothing wider than the viewport: no horizontal scrolling on a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await context.close();
        assert.ok(statSync(file).size > 1000, 'the screenshot was written');
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${width}px`);
      });
    }
  }
}

// Readable from 320 px up: no page kind scrolls sideways on the narrowest phones.
for (const lang of ['it', 'ar']) {
  test(`no sideways scrolling at 320px (${lang})`, async () => {
    const kinds = pagesOfKind(lang);
    const context = await newContext(browser, { viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const wide = [];
    for (const kind of ['home', 'section', 'guide', 'desks', 'contact', 'thanks', 'notFound']) {
      await page.goto(BASE + kinds[kind]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) wide.push(`${kinds[kind]}: ${overflow}px`);
    }
    await context.close();
    assert.deepEqual(wide, []);
  });
}
