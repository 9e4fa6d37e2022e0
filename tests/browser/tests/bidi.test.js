// Left-to-right runs inside right-to-left pages, measured on the computed
// layout: in Arabic, a phone number linked from a page's Markdown body
// ("[0744 812786](tel:…)") keeps its digit groups in reading order, 0744 to
// the left of 812786, instead of the bidi algorithm swapping them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newContext, pagesOfKind } from '../lib/env.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * For every phone link in the page's main content that the theme did not
 * mark itself (body links written in Markdown): the left edge of each
 * space-separated group of its text, in text order.
 */
async function phoneGroups(page) {
  return page.evaluate(() => {
    const links = [...document.querySelectorAll('main a[href^="tel:"]')].filter((a) => !a.hasAttribute('dir'));
    return links.map((a) => {
      const node = [...a.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && /\d+\s+\d+/.test(n.data));
      if (!node) return null;
      const groups = [];
      for (const m of node.data.matchAll(/\d+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const r = range.getBoundingClientRect();
        groups.push({ text: m[0], left: r.left, top: r.top });
      }
      return { text: node.data, groups };
    }).filter(Boolean);
  });
}

const ar = pagesOfKind('ar');
for (const kind of ['home', 'contact']) {
  test(`right-to-left: a phone number in the ${kind} page's text (ar) reads left to right`, async () => {
    const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(BASE + ar[kind]);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).direction), 'rtl');
    const links = await phoneGroups(page);
    assert.deepEqual(context.foreign(), []);
    await context.close();
    assert.ok(links.length > 0, `the ${kind} page's text links a phone number`);
    for (const { text, groups } of links) {
      assert.ok(groups.length >= 2, text);
      for (let i = 1; i < groups.length; i++) {
        if (Math.abs(groups[i].top - groups[i - 1].top) > 2) continue; // wrapped onto another line
        assert.ok(groups[i - 1].left < groups[i].left,
          `"${text}": "${groups[i - 1].text}" (x ${groups[i - 1].left}) is left of "${groups[i].text}" (x ${groups[i].left})`);
      }
    }
  });
}
