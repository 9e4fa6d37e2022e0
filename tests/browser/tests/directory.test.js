// The directory of associations filled: the shipped one is empty (no
// association has consented yet; axe.test.js checks it), so the fixture
// lists made-up ones. axe on the directory by sector and by city and on
// association pages, in Italian and Arabic, and in English where the
// description falls back to its original (Arabic), marked as such.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_DIR, launch, newContext, pagesOfKind, read, htmlLang } from '../lib/env.js';
import { serveDir } from '../lib/static-server.js';
import { assertNoViolations } from '../lib/axe.js';

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

async function check(path) {
  const page = await context.newPage();
  try {
    const res = await page.goto(fixture.url + path, { waitUntil: 'load' });
    assert.equal(res.status(), 200, `${path}: HTTP status`);
    await assertNoViolations(page, path);
  } finally {
    await page.close();
  }
}

for (const lang of ['it', 'ar']) {
  for (const kind of ['directory', 'directoryCity']) {
    test(`axe: ${kind} with associations (${lang})`, async () => {
      const path = pagesOfKind(lang, FIXTURE_DIR)[kind];
      assert.ok(path, `the fixture has a ${kind} page in ${lang}`);
      assert.match(read(FIXTURE_DIR, path), /class="associations"/);
      await check(path);
    });
  }
}

for (const lang of ['it', 'ar', 'en']) {
  test(`axe: an association's page (${lang})`, async () => {
    const path = `/${lang}/associations/donne-in-rete/`;
    const html = read(FIXTURE_DIR, path);
    assert.equal(htmlLang(html), lang);
    assert.match(html, /"@type":"Organization"/);
    if (lang === 'en') assert.match(html, /<p class="lead" lang="ar" dir="rtl">/, 'the fallback description is marked');
    await check(path);
  });
}

test('no request left the local server', () => {
  assert.deepEqual(context.foreign(), []);
});
