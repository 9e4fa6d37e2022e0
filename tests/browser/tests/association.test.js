// The directory fed by the associations themselves (issue 15), end to end
// in Chromium: an association asks to be listed through the Arabic form;
// an operator signs in to the inbox and approves it; the entry the inbox
// gives is added to the data file, as an editor would; the preview rebuilds
// and the directory lists the association under its sector and its city in
// every language. Runs its own `sportello serve` over a copy of the
// shipped content (the suite's server serves the content as shipped).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launch, newContext } from '../lib/env.js';
import { assertNoViolations } from '../lib/axe.js';

const REPO = join(ROOT, '..', '..');
const BIN = process.env.SPORTELLO_BIN || join(REPO, 'target', 'release', 'sportello');
const FORMS_BIN = process.env.SPORTELLO_FORMS_BIN || join(REPO, 'target', 'release', 'sportello-forms');
const LANGS = ['it', 'en', 'fr', 'ar', 'ro', 'sq', 'uk'];
const ORG = 'جمعية الأمل للنساء';
const USER = 'approver';
const PASSWORD = `approval test ${Date.now()}`;
let browser, server, dir, base;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sportello-directory-'));
  cpSync(join(REPO, 'content'), join(dir, 'content'), { recursive: true });
  const added = spawnSync(FORMS_BIN, ['operator', 'add', USER, '--queue', 'q.jsonl'], { cwd: dir, input: `${PASSWORD}\n` });
  assert.equal(added.status, 0, String(added.stderr));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--content', 'content', '--themes', join(REPO, 'themes'),
    '--out', 'public', '--listen', `127.0.0.1:${port}`, '--queue', 'q.jsonl'], { cwd: dir, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(base + '/ar/')).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The path of the directory's form in `lang`, from its directory page's invitation. */
async function joinPath(page, lang) {
  await page.goto(`${base}/${lang}/associations/`);
  const href = await page.getAttribute('.directory-join a', 'href');
  assert.ok(href, `the ${lang} directory invites to the form`);
  return href;
}

test('an association asks in Arabic, an operator approves it, and the directory lists it in every language', { timeout: 240_000 }, async () => {
  // 1. The association, on a phone, JavaScript off: the form works without it.
  const reader = await newContext(browser, { viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await reader.newPage();
  const path = await joinPath(page, 'ar');
  await page.goto(base + path);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  // A first try without the consent to publication: refused, in Arabic, nothing lost.
  await page.fill('#f-name', 'أمينة');
  await page.fill('#f-email', 'amina@example.org');
  await page.fill('#f-org_name', ORG);
  await page.check('#f-sectors-women');
  await page.fill('#f-city', 'Terni');
  await page.selectOption('#f-province', 'TR');
  await page.check('#f-languages-ar');
  await page.fill('#f-description', 'نساعد النساء المهاجرات على تعلم اللغة الإيطالية.');
  await page.fill('#f-source', 'https://al-amal.example.org/chi-siamo');
  await page.check('#f-consent');
  await page.click('form.form-kind button[type=submit]');
  assert.ok(await page.$('#error-summary a[href="#f-publish_consent"]'), 'the summary names the missing consent');
  assert.equal(await page.inputValue('#f-org_name'), ORG, 'what was typed is kept');
  assert.ok(await page.isChecked('#f-sectors-women'), 'ticked boxes stay ticked');
  await page.check('#f-publish_consent');
  await page.check('#f-consent');
  await page.click('form.form-kind button[type=submit]');
  assert.match(new URL(page.url()).pathname, /^\/ar\/associations\/[^/]+\/$/, 'the Arabic thanks page');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  const queued = readFileSync(join(dir, 'q.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(queued.length, 1);
  assert.equal(queued[0].kind, 'association');
  const id = queued[0].id;

  // 2. The operator signs in and approves it.
  const desk = await newContext(browser, { javaScriptEnabled: false });
  const op = await desk.newPage();
  await op.goto(`${base}/desk/login?lang=it`);
  await op.fill('#name', USER);
  await op.fill('#password', PASSWORD);
  await Promise.all([op.waitForURL(`${base}/desk/`), op.click('form.stack button[type=submit]')]);
  await op.click(`a[href="/desk/r/${id}"]`);
  assert.ok((await op.textContent('dl.form-details')).includes(ORG), 'the form\'s fields, by name');
  await op.click(`form[action="/desk/r/${id}/approve"] button`);
  const yaml = await op.textContent('pre.entry');
  assert.match(yaml, /consent_date:/);
  assert.ok(!(await op.$('#entry [role="alert"]')), 'the site\'s check accepts the entry');
  // axe on the request with its entry, in Italian and in Arabic (right to
  // left): in a second context with the session, JavaScript on for the
  // checker and the inbox's CSP (no script at all) bypassed for it only.
  const checker = await newContext(browser, { storageState: await desk.storageState(), bypassCSP: true });
  const seen = await checker.newPage();
  for (const lang of ['it', 'ar']) {
    await seen.goto(`${base}/desk/r/${id}?lang=${lang}`);
    assert.equal(await seen.getAttribute('html', 'lang'), lang);
    await assertNoViolations(seen, `the approved request (${lang})`);
  }
  await checker.close();

  // 3. The editor adds it to the data file; the preview rebuilds by itself.
  appendFileSync(join(dir, 'content', '_data', 'associations.yaml'), `\n${yaml}`);
  const listed = async () => (await (await fetch(`${base}/ar/associations/`)).text()).includes(ORG);
  for (let i = 0; i < 300 && !(await listed()); i++) await new Promise((r) => setTimeout(r, 200));
  assert.ok(await listed(), 'the Arabic directory lists it after the rebuild');

  // 4. Every language: under its sector, and under its city.
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/associations/`);
    const sector = await page.textContent('section[aria-labelledby="sector-women"]');
    assert.ok(sector.includes(ORG), `${lang}: under its sector`);
    const cities = await page.getAttribute('.directory-views li:nth-child(2) a', 'href');
    await page.goto(base + cities);
    assert.ok((await page.content()).includes(ORG) && (await page.content()).includes('Terni'), `${lang}: under its city`);
  }
  await reader.close();
  await desk.close();
});
