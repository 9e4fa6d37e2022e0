// axe-core in Chromium: no violation of the WCAG 2.0/2.1/2.2 A and AA rules
// on every kind of page, in Italian and in Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, SITE_DIR, FIXTURE_DIR, launch, newContext, pagesOfKind, sitemapPaths, read, htmlLang, isFallback,
  filesUnder, urlPathOf,
} from '../lib/env.js';
import { serveDir } from '../lib/static-server.js';
import { assertNoViolations } from '../lib/axe.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

const LANGS = ['it', 'ar'];

let browser;
let context;
let fixture;
before(async () => {
  browser = await launch();
  context = await newContext(browser);
  fixture = await serveDir(FIXTURE_DIR);
});
after(async () => {
  await context?.close();
  await browser?.close();
  await fixture?.close();
});

async function check(base, path, expectedStatus = 200, act = async () => {}) {
  const page = await context.newPage();
  try {
    const res = await page.goto(base + path, { waitUntil: 'load' });
    assert.equal(res.status(), expectedStatus, `${path}: HTTP status`);
    await act(page);
    await assertNoViolations(page, path);
  } finally {
    await page.close();
  }
}

/**
 * The first fallback page of `lang` in a built site, if it has one (from the
 * built files: a fallback is canonical to its original, so not in the sitemap).
 */
function firstFallback(siteDir, lang) {
  if (!existsSync(join(siteDir, lang))) return undefined;
  const fallbacks = filesUnder(join(siteDir, lang), '.html')
    .map((f) => urlPathOf(siteDir, f))
    .filter((p) => !p.endsWith('/404.html') && isFallback(read(siteDir, p)));
  // A guide first: the richest page.
  return fallbacks.find((p) => /<article class="guide"/.test(read(siteDir, p))) ?? fallbacks[0];
}

for (const lang of LANGS) {
  const kinds = pagesOfKind(lang);
  for (const kind of ['home', 'section', 'guide', 'desks', 'directory', 'directoryCity', 'contact', 'join', 'thanks', 'notFound']) {
    test(`axe: ${kind} (${lang}) ${kinds[kind] ?? ''}`, async () => {
      assert.ok(kinds[kind], `no ${kind} page found in the built /${lang}/ site`);
      await check(BASE, kinds[kind]);
    });
  }
  test(`axe: a missing URL answered with 404 (${lang})`, async () => {
    await check(BASE, `/${lang}/no-such-page-${Date.now()}/`, 404);
  });
}

// The search page, with Pagefind's results on it: a word of the language's
// home page typed in the box.
for (const lang of LANGS) {
  test(`axe: the search page with results (${lang})`, async () => {
    const h1 = (read(SITE_DIR, `/${lang}/`).match(/<h1[^>]*>([^<]+)</) || [])[1] || '';
    const word = (h1.match(/[\p{L}]{4,}/gu) || [])[0];
    assert.ok(word, `a word in the ${lang} home's title: ${h1}`);
    await check(BASE, `/${lang}/search/`, 200, async (page) => {
      await page.locator('.pagefind-ui__search-input').fill(word);
      await page.locator('.pagefind-ui__result').first().waitFor();
    });
  });
}

// Fallbacks: a page shown in a language it has no translation in. The default
// language (it) has none by definition; the site has them only while a
// translation is missing, so the fixture (pages in Italian only) always
// provides one in Arabic (rtl) and in English (ltr).
for (const lang of ['ar', 'en']) {
  test(`axe: a fallback page (${lang}) in the fixture site`, async () => {
    const path = firstFallback(FIXTURE_DIR, lang);
    assert.ok(path, `the fixture has a ${lang} fallback page`);
    const html = read(FIXTURE_DIR, path);
    assert.equal(htmlLang(html), lang);
    assert.match(html, /class="notice"/, 'the fallback carries its notice');
    assert.match(html, /<(article|div)[^>]*\slang="it"/, 'the borrowed text is marked with its own language');
    await check(fixture.url, path);
  });
}

const siteLangs = [...new Set(sitemapPaths().map((p) => p.split('/')[1]))].filter((l) => l !== 'it');
const siteFallback = ['ar', ...siteLangs.filter((l) => l !== 'ar')].map((l) => firstFallback(SITE_DIR, l)).find(Boolean);
test(`axe: a fallback page of the site ${siteFallback ?? ''}`, { skip: siteFallback ? false : 'every page of the site is translated (the fixture covers fallbacks)' }, async () => {
  assert.match(read(SITE_DIR, siteFallback), /class="notice"/, 'the fallback carries its notice');
  await check(BASE, siteFallback);
});

test('axe: the language chooser /', async () => {
  await check(BASE, '/');
});

test('no request left the local server', () => {
  assert.deepEqual(context.foreign(), []);
});
