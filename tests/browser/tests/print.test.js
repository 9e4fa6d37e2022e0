// Print (issue 14, item 3): a printed page is its text. In Chromium's print
// media the navigation, header, footer, language switcher and forms are gone,
// links are written out after their text, and the guide for founding an
// association prints each step on a page of its own (and says, on screen,
// how to print it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newContext } from '../lib/env.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const FOUNDING = '/it/guides/fondare-un-associazione/';

/** Whether the first element matching `selector` takes up any room. */
async function shown(page, selector) {
  return page.evaluate((s) => {
    const el = document.querySelector(s);
    return !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
  }, selector);
}

test('print: no navigation, header, footer or language switcher; links written out', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(BASE + FOUNDING);
  const chrome = ['.main-nav', '.lang-switcher', '.site-header', '.site-footer'];
  for (const s of chrome) assert.equal(await shown(page, s), true, `${s} is on screen`);
  await page.emulateMedia({ media: 'print' });
  for (const s of [...chrome, '.print-cta']) assert.equal(await shown(page, s), false, `${s} is not printed`);
  const link = await page.evaluate(() => {
    const a = document.querySelector('main .prose a[href^="http"]');
    return a && { href: a.getAttribute('href'), after: getComputedStyle(a, '::after').content };
  });
  assert.ok(link, 'the guide links an outside page');
  assert.ok(link.after.includes(link.href), `the address is written after the link: ${link.after}`);
  await context.close();
});

test('print: the contact form is not printed', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${BASE}/it/contact/`);
  assert.equal(await shown(page, 'form'), true, 'the form is on screen');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await shown(page, 'form'), false, 'the form is not printed');
  await context.close();
});

test('print: the founding guide prints a page a step, and says on screen how to print it', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(BASE + FOUNDING);
  // The hint is on screen (a print button would need a script the budget has no room for).
  assert.equal(await shown(page, '.print-cta'), true, 'the guide says how to print it');
  assert.match(await page.locator('.print-cta').innerText(), /Stampa/);
  const steps = await page.locator('.steps > h2').count();
  assert.ok(steps > 1, `the guide has steps (${steps})`);
  const pdf = await page.pdf({ format: 'A4' });
  // The page objects (Skia writes them uncompressed); the page tree's root
  // /Count, the largest, says the same.
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?!s)/g) || []).length;
  const counts = [...text.matchAll(/\/Count\s+(\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pages, Math.max(...counts), 'the page objects and the page tree agree');
  assert.ok(pages > 1 && pages >= steps, `a page a step: ${pages} pages for ${steps} steps`);
  await context.close();
});
