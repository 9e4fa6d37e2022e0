// The contact form with JavaScript disabled, against the running
// `sportello serve` (contract: /work/shared/design/forms-and-queue.md):
// a valid submission ends on /<lang>/contact/thanks/ and is in the queue; an
// invalid one comes back 422 with the error summary focused and everything
// typed kept; the same with the keyboard only. In Italian and in Arabic.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, QUEUE, ARTIFACTS, launch, newContext, pagesOfKind } from '../lib/env.js';
import { validate, describe as describeVnu } from '../lib/vnu.js';
import { assertNoViolations } from '../lib/axe.js';

let browser;
let context;
const errorPages = [];
before(async () => {
  browser = await launch();
  context = await newContext(browser, { javaScriptEnabled: false });
});
after(async () => {
  await context?.close();
  await browser?.close();
});

const SAMPLES = {
  it: { name: 'Amina Prova', email: 'amina.prova@example.org', phone: '+39 0744 000000', message: 'Vorremmo fondare un’associazione culturale a Terni. Potete aiutarci?' },
  ar: { name: 'أمينة تجربة', email: 'amina.test@example.org', phone: '+39 0744 000000', message: 'نريد تأسيس جمعية ثقافية في تيرني. هل يمكنكم مساعدتنا؟' },
};
const unique = (name) => `${name} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The queue's records (JSON Lines) that hold `name` anywhere in their fields. */
function queued(name) {
  if (!existsSync(QUEUE)) return [];
  return readFileSync(QUEUE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((r) => JSON.stringify(r).includes(JSON.stringify(name)));
}

/** Every string value in a record under `key`, at any depth. */
function valuesOf(obj, key, out = []) {
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) {
      if (k === key && typeof v === 'string') out.push(v);
      valuesOf(v, key, out);
    }
  }
  return out;
}

async function openContact(lang) {
  const { contact } = pagesOfKind(lang);
  assert.ok(contact, `a contact page with the form exists in /${lang}/`);
  const page = await context.newPage();
  const res = await page.goto(BASE + contact);
  assert.equal(res.status(), 200);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  return page;
}

/** Clicks/presses to submit and returns the POST's own response and the final one. */
async function submitBy(page, action) {
  const post = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15_000 });
  const nav = page.waitForNavigation({ timeout: 15_000 });
  await action();
  const [postRes, finalRes] = await Promise.all([post, nav]);
  return { post: postRes, final: finalRes };
}

/** Waits (without page scripts) until focus is inside the error summary. */
async function focusInSummary(page) {
  for (let i = 0; i < 40; i++) {
    const ok = await page.evaluate(() => {
      const s = document.querySelector('.error-summary');
      return !!s && !!document.activeElement && (s === document.activeElement || s.contains(document.activeElement));
    });
    if (ok) return true;
    await page.waitForTimeout(50);
  }
  return false;
}

async function fieldValues(page) {
  return page.evaluate(() => ({
    name: document.querySelector('[name=name]').value,
    email: document.querySelector('[name=email]').value,
    phone: document.querySelector('[name=phone]').value,
    message: document.querySelector('[name=message]').value,
    desk: document.querySelector('[name=desk]').value,
    topic: document.querySelector('[name=topic]').value,
    consent: document.querySelector('[name=consent]').checked,
    lang: document.querySelector('[name=lang]').value,
    website: document.querySelector('[name=website]').value,
  }));
}

/** Checks the page answered to an invalid submission. */
async function assertInvalid(page, lang, sub, typed, fields) {
  assert.equal(sub.post.status(), 422, `invalid submission answered ${sub.post.status()}, expected 422`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, 'the form came back in the reader’s language');
  assert.ok(await page.locator('.error-summary').count(), 'the error summary is on the page');
  assert.ok(await focusInSummary(page), 'focus is on the error summary');
  for (const f of fields) {
    assert.ok(await page.locator(`.error-summary a[href="#f-${f}"]`).count(), `the summary links to the ${f} field`);
    assert.equal(await page.getAttribute(`[name=${f}]`, 'aria-invalid'), 'true', `${f} is marked invalid`);
  }
  const kept = await fieldValues(page);
  for (const [k, v] of Object.entries(typed)) assert.equal(kept[k], v, `what was typed in ${k} is kept`);
  await page.screenshot({ path: join(ARTIFACTS, `contact-422-${lang}.png`), fullPage: true });
  const html = await sub.post.text();
  const dir = mkdtempSync(join(tmpdir(), 'sportello-422-'));
  const file = join(dir, `contact-422-${lang}.html`);
  writeFileSync(file, html);
  errorPages.push({ file, html, lang });
}

async function assertAccepted(page, lang, sub, name) {
  assert.equal(sub.post.status(), 303, `valid submission answered ${sub.post.status()}, expected 303`);
  assert.equal(new URL(page.url()).pathname, `/${lang}/contact/thanks/`, 'ended on the thanks page of the same language');
  assert.equal(sub.final.status(), 200);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  const records = queued(name);
  assert.equal(records.length, 1, `the submission of ${name} is in the queue once`);
  assert.ok(valuesOf(records[0], 'lang').includes(lang), `the queued record is in ${lang}`);
}

for (const lang of ['it', 'ar']) {
  const s = SAMPLES[lang];

  describe(`contact form without JavaScript (${lang})`, () => {
    test('the form posts to its action with method post and works without scripts', async () => {
      const page = await openContact(lang);
      const form = page.locator('form.contact-form');
      assert.equal((await form.getAttribute('method')).toLowerCase(), 'post');
      assert.ok(await form.getAttribute('action'));
      assert.equal(await page.locator('[name=lang]').inputValue(), lang);
      await page.close();
    });

    test('a valid submission ends on the thanks page and is in the queue', async () => {
      const page = await openContact(lang);
      const name = unique(s.name);
      await page.fill('#f-name', name);
      await page.fill('#f-email', s.email);
      await page.fill('#f-message', s.message);
      await page.check('#f-consent');
      const sub = await submitBy(page, () => page.click('form.contact-form [type=submit]'));
      await assertAccepted(page, lang, sub, name);
      await page.close();
    });

    test('a submission without a message comes back 422, summary focused, input kept', async () => {
      const page = await openContact(lang);
      const typed = { name: unique(s.name), email: s.email, phone: s.phone, consent: true };
      await page.fill('#f-name', typed.name);
      await page.fill('#f-email', typed.email);
      await page.fill('#f-phone', typed.phone);
      await page.selectOption('#f-topic', 'networks');
      await page.check('#f-consent');
      const sub = await submitBy(page, () => page.click('form.contact-form [type=submit]'));
      await assertInvalid(page, lang, sub, { ...typed, topic: 'networks' }, ['message']);
      assert.equal(queued(typed.name).length, 0, 'nothing was queued');
      await page.close();
    });

    test('a bad e-mail comes back 422, summary focused, input kept', async () => {
      const page = await openContact(lang);
      const typed = { name: unique(s.name), email: 'not-an-e-mail', message: s.message, consent: false };
      await page.fill('#f-name', typed.name);
      await page.fill('#f-email', typed.email);
      await page.fill('#f-message', typed.message);
      const sub = await submitBy(page, () => page.click('form.contact-form [type=submit]'));
      await assertInvalid(page, lang, sub, typed, ['email', 'consent']);
      assert.equal(queued(typed.name).length, 0, 'nothing was queued');
      await page.close();
    });

    test('keyboard only: Tab, type, Space, Enter — invalid, then corrected, then accepted', async () => {
      const page = await openContact(lang);
      const kb = page.keyboard;
      const name = unique(s.name);
      // Tab from the top of the page to the first field.
      await tabTo(page, '#f-name');
      await kb.type(name);
      await tabTo(page, '#f-email');
      await kb.type('nobody@');
      await tabTo(page, '#f-message');
      await kb.type(s.message);
      await tabTo(page, 'form.contact-form [type=submit]');
      let sub = await submitBy(page, () => kb.press('Enter'));
      await assertInvalid(page, lang, sub, { name, email: 'nobody@', message: s.message, consent: false }, ['email', 'consent']);
      // Correct it from the error summary onwards, still by keyboard.
      await tabTo(page, '#f-email');
      await kb.press('ControlOrMeta+A');
      await kb.type(s.email);
      await tabTo(page, '#f-consent');
      await kb.press('Space');
      assert.equal(await page.isChecked('#f-consent'), true, 'Space checks the consent box');
      await tabTo(page, 'form.contact-form [type=submit]');
      sub = await submitBy(page, () => kb.press('Enter'));
      await assertAccepted(page, lang, sub, name);
      await page.close();
    });
  });
}

/** Presses Tab until `selector` has focus; fails if it never does or if focus lands on the honeypot. */
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate((sel) => {
      const a = document.activeElement;
      return { here: a === document.querySelector(sel), honeypot: a?.name === 'website' };
    }, selector);
    assert.equal(state.honeypot, false, 'the honeypot is never reached with Tab');
    if (state.here) return;
  }
  assert.fail(`${selector} is not reachable with Tab`);
}

test('the 422 pages pass axe', async (t) => {
  if (errorPages.length === 0) return t.skip('no 422 page was produced');
  // axe needs scripts: show the same HTML, at its own origin, in a context with JavaScript.
  const ctx = await newContext(browser);
  try {
    for (const { html, lang } of errorPages) {
      const page = await ctx.newPage();
      const url = `${BASE}/${lang}/contact/?as-answered-422`;
      await page.route(url, (route) => route.fulfill({ status: 422, contentType: 'text/html; charset=utf-8', body: html }));
      await page.goto(url);
      await assertNoViolations(page, `the 422 page (${lang})`);
      await page.close();
    }
  } finally {
    assert.deepEqual(ctx.foreign(), []);
    await ctx.close();
  }
});

test('the 422 pages are valid HTML (vnu)', async (t) => {
  if (errorPages.length === 0) return t.skip('no 422 page was produced');
  const errors = validate(errorPages.map((p) => p.file));
  assert.equal(errors.length, 0, `vnu errors:\n${describeVnu(errors)}`);
});

test('no request left the local server', () => {
  assert.deepEqual(context.foreign(), []);
});
