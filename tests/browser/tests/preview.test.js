// The editors' preview (issue 13): a mistake saved while `sportello serve`
// runs shows on the open page, over the last good version of it, in the
// page's language; fixing the file clears it and the page reloads. Runs its
// own `sportello serve` (live reload on) over a copy of the shipped content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ARTIFACTS, launch, newContext } from '../lib/env.js';
import { startServe } from '../lib/serve.js';

const REPO = join(ROOT, '..', '..');
let browser, server, dir, base;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sportello-preview-'));
  cpSync(join(REPO, 'content'), join(dir, 'content'), { recursive: true });
  ({ base, server } = await startServe(dir, '/ar/'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a broken page shows its mistake on the open page, in its language, until it is fixed', async () => {
  const file = join(dir, 'content', 'index.ar.md');
  const original = readFileSync(file, 'utf8');
  const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(base + '/ar/');
  const heading = await page.textContent('h1');

  writeFileSync(file, original.replace(/^title:/m, 'titel:'));
  const box = await page.waitForSelector('#sportello-problems', { timeout: 30000 });
  const shown = await box.evaluate((b) => ({
    dir: b.dir,
    lang: b.lang,
    role: b.getAttribute('role'),
    title: b.querySelector('h2').textContent,
    text: b.textContent,
  }));
  assert.equal(shown.role, 'alert');
  assert.equal(shown.dir, 'rtl');
  assert.equal(shown.lang, 'ar');
  assert.equal(shown.title, 'لم يُحدَّث الموقع: صحّح هذه الأخطاء');
  assert.match(shown.text, /content\/index\.ar\.md:2:1/, 'file, line and column');
  assert.match(shown.text, /unknown front-matter key `titel`/);
  assert.match(shown.text, /did you mean `title`\?/, 'the hint');
  assert.match(shown.text, /titel: /, "the line's text");
  assert.equal(await page.textContent('h1'), heading, 'the last good page stays underneath');
  await page.screenshot({ path: join(ARTIFACTS, 'preview-overlay-ar-390.png') });

  // Markup in the editor's file is shown as text, never run.
  writeFileSync(file, original.replace(/^title:/m, '<img src=x onerror="window.pwned=1">:'));
  await page.waitForFunction(() => document.querySelector('#sportello-problems')?.textContent.includes('<img src=x'), null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('#sportello-problems img').count(), 0);

  const reloaded = page.waitForEvent('load', { timeout: 30000 });
  writeFileSync(file, original);
  await reloaded;
  await page.waitForSelector('h1');
  assert.equal(await page.locator('#sportello-problems').count(), 0, 'fixed: the overlay is gone');
  assert.equal(await page.textContent('h1'), heading);
  await context.close();

  // Served pages carry the script; the built files never do.
  assert.doesNotMatch(readFileSync(join(dir, 'public', 'ar', 'index.html'), 'utf8'), /_sportello/);
});
