// Right-to-left in Arabic, measured on the computed layout: the document is
// rtl and the main navigation's first item starts at the right edge.
// Italian is checked the other way round, so the test can tell them apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newContext, pagesOfKind } from '../lib/env.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Where the navigation's first and last items sit within the list's content box. */
async function navLayout(page) {
  return page.evaluate(() => {
    const nav = [...document.querySelectorAll('nav')].find((n) => n.closest('header') && n.querySelectorAll('li a').length > 1 && !n.querySelector('details'));
    if (!nav) return null;
    const list = nav.querySelector('ul, ol');
    const items = [...list.children].filter((li) => li.getBoundingClientRect().width > 0);
    const box = list.getBoundingClientRect();
    const cs = getComputedStyle(list);
    const contentLeft = box.left + parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth);
    const contentRight = box.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth);
    const first = items[0].getBoundingClientRect();
    const second = items[1].getBoundingClientRect();
    return {
      dir: document.documentElement.dir,
      computedDir: getComputedStyle(document.documentElement).direction,
      lang: document.documentElement.lang,
      contentLeft, contentRight,
      first: { left: first.left, right: first.right, top: first.top },
      second: { left: second.left, right: second.right, top: second.top },
    };
  });
}

for (const width of [1280, 360]) {
  for (const lang of ['ar', 'it']) {
    const kinds = pagesOfKind(lang);
    for (const kind of ['home', 'guide', 'contact']) {
      test(`${lang === 'ar' ? 'right-to-left' : 'left-to-right'}: ${kind} (${lang}) at ${width}px`, async () => {
        const context = await newContext(browser, { viewport: { width, height: 800 } });
        const page = await context.newPage();
        await page.goto(BASE + kinds[kind]);
        const l = await navLayout(page);
        await context.close();
        assert.ok(l, 'the page has a main navigation list');
        assert.equal(l.lang, lang);
        const tol = 1.5;
        if (lang === 'ar') {
          assert.equal(l.dir, 'rtl', 'document.documentElement.dir');
          assert.equal(l.computedDir, 'rtl', 'computed direction');
          assert.ok(Math.abs(l.first.right - l.contentRight) <= tol,
            `the first item ends at the list's right edge (item right ${l.first.right}, list right ${l.contentRight})`);
          if (Math.abs(l.first.top - l.second.top) < 2) assert.ok(l.second.right <= l.first.left, 'the second item is to the left of the first');
        } else {
          assert.notEqual(l.dir, 'rtl');
          assert.ok(Math.abs(l.first.left - l.contentLeft) <= tol,
            `the first item starts at the list's left edge (item left ${l.first.left}, list left ${l.contentLeft})`);
        }
      });
    }
  }
}
