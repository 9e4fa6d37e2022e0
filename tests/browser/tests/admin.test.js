// The editors' interface (issue 13, item 4): `sportello serve` serves Sveltia
// CMS at /admin/ with a configuration generated from site.yaml and the
// content folder. Chromium loads it with no console error, no request to
// another origin, and offers to work on the local folder. Choosing the
// folder needs the browser's native picker and a permission prompt, which a
// headless test cannot answer: the first test stops where the picker is
// asked for; the second hands the interface a copy of the content in the
// browser's private file system instead (saving, and the rebuild after it:
// cms-save.test.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, ARTIFACTS, ROOT, launch, newContext } from '../lib/env.js';
import { filesOf, pickerReturnsCopyOf } from '../lib/local-folder.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the editing interface loads from this origin only, with no console error', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Where the folder picker would open: record that it was asked for, and
  // stay open, as the native picker does while the editor chooses.
  await page.addInitScript(() => {
    window.showDirectoryPicker = () => {
      window.__pickerAsked = true;
      return new Promise(() => {});
    };
  });
  await page.goto(BASE + '/admin/');
  const local = page.getByRole('button', { name: /Local Repository/i });
  await local.waitFor({ timeout: 60000 });
  await page.screenshot({ path: join(ARTIFACTS, 'admin-sign-in.png') });
  await local.click();
  await page.waitForFunction(() => window.__pickerAsked === true, null, { timeout: 10000 });
  // The configuration the interface loaded is ours, and it accepted it:
  // a configuration error would be shown instead of the sign-in page.
  assert.equal(await page.getByText(/configuration/i).count(), 0, 'no configuration error shown');
  assert.deepEqual(errors, [], 'no console error');
  assert.deepEqual(context.foreign(), [], 'no request to another origin');
  assert.ok(context.requests.some((u) => new URL(u).pathname === '/admin/config.yml'), 'the generated configuration was read');
  await context.close();
});

test('the interface reads our layout: a collection per section, the pages of the folder', async () => {
  // The served site's own content folder, copied into the browser's private
  // file system: a folder handle like the one the native picker returns.
  const repo = join(ROOT, '..', '..');
  const files = { '.git/HEAD': 'ref: refs/heads/main\n', ...filesOf(repo, 'content') };
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await pickerReturnsCopyOf(page, files);
  await page.goto(BASE + '/admin/');
  await page.getByRole('button', { name: /Local Repository/i }).click();
  const lines = () => page.evaluate(() => document.body.innerText.split('\n').map((l) => l.trim()));
  await page.waitForFunction(() => document.body.innerText.split('\n').some((l) => l.trim() === 'guides'),
    null, { timeout: 60000 });
  const shown = await lines();
  for (const section of ['Pages', 'guides', 'news', 'contact', 'desks']) {
    assert.ok(shown.includes(section), `collection ${section}: ${shown.join(' | ')}`);
  }
  // A page at the top, from content/glossary.it.md, listed under "Pages".
  const glossary = readFileSync(join(repo, 'content', 'glossary.it.md'), 'utf8')
    .match(/^title:\s*(.+)$/m)[1].replace(/^["']|["']$/g, '');
  await page.waitForFunction((t) => document.body.innerText.split('\n').some((l) => l.trim() === t),
    glossary, { timeout: 30000 });
  await page.screenshot({ path: join(ARTIFACTS, 'admin-pages.png') });
  assert.deepEqual(errors, [], 'no console error');
  assert.deepEqual(context.foreign(), [], 'no request to another origin');
  await context.close();
});
