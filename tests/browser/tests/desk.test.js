// The operators' web inbox (/desk/) with JavaScript disabled, against the
// running `sportello serve`: sign in, filter, open a request sent through
// the site, take it in charge, add a note, mark it handled, export, sign
// out — and axe with 0 violations on every inbox page, in Italian and in
// Arabic (right to left). run.sh creates the operator account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newContext } from '../lib/env.js';
import { assertNoViolations } from '../lib/axe.js';

const USER = process.env.SPORTELLO_DESK_USER;
const PASSWORD = process.env.SPORTELLO_DESK_PASSWORD;

let browser;
let context;
before(async () => {
  browser = await launch();
  context = await newContext(browser, { javaScriptEnabled: false });
});
after(async () => {
  await context?.close();
  await browser?.close();
});

/**
 * axe on `path` as the signed-in operator: in a second context that has the
 * session's cookie, with JavaScript (axe runs in the page) and the page's CSP
 * bypassed for the checker only (the CSP allows no script at all).
 */
async function noViolations(path) {
  const ctx = await newContext(browser, { storageState: await context.storageState(), bypassCSP: true });
  try {
    const page = await ctx.newPage();
    const res = await page.goto(BASE + path);
    assert.equal(res.status(), 200, path);
    await assertNoViolations(page, path);
  } finally {
    await ctx.close();
  }
}

/** A request sent through the site's form endpoint, as a browser without JS does. */
async function sendRequest(name) {
  const body = new URLSearchParams({
    lang: 'ar', name, email: 'desk.test@example.org', phone: '', desk: 'any', topic: 'founding',
    message: 'نريد تأسيس جمعية ثقافية في تيرني', consent: 'yes', website: '',
  });
  const r = await fetch(`${BASE}/forms/contact`, { method: 'POST', body, redirect: 'manual' });
  assert.equal(r.status, 303, 'the request is stored');
}

// Twelve axe runs and a dozen page loads: longer than the suite's default timeout.
test('an operator signs in, handles a request and signs out; axe is clean in it and ar', { timeout: 300_000 }, async () => {
  assert.ok(USER && PASSWORD, 'run.sh sets SPORTELLO_DESK_USER and SPORTELLO_DESK_PASSWORD');
  const name = `Prova Sportello ${Date.now().toString(36)}`;
  await sendRequest(name);
  const page = await context.newPage();

  // Not signed in: the sign-in page.
  const res = await page.goto(`${BASE}/desk/`);
  assert.equal(new URL(page.url()).pathname, '/desk/login');
  assert.equal(res.headers()['cache-control'], 'no-store');
  await noViolations('/desk/login?lang=it');
  await noViolations('/desk/login?lang=ar');
  await page.goto(`${BASE}/desk/login?lang=ar`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

  await page.goto(`${BASE}/desk/login?lang=it`);
  await page.fill('#name', USER);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/desk/`), page.click('form.stack button[type=submit]')]);
  assert.equal(await page.textContent('h1'), 'Richieste');
  await noViolations('/desk/?lang=it');

  // Filter: search the name, only new requests.
  await page.fill('#f-q', name);
  await page.selectOption('#f-status', 'new');
  await Promise.all([page.waitForURL(/\/desk\/\?/), page.click('.filters button[type=submit]')]);
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 1, 'the one request');
  // On a phone the date it arrived stays on one line ("2026-" over "12-02"
  // before): one line of text is under 40 px high, three are 70.
  await page.setViewportSize({ width: 390, height: 844 });
  const when = await rows.first().locator('.when').boundingBox();
  assert.ok(when && when.height < 40, `the date on one line at 390 px: ${JSON.stringify(when)}`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForURL(/\/desk\/r\//), rows.first().locator('a').click()]);
  const requestPath = new URL(page.url()).pathname;
  await noViolations(`${requestPath}?lang=it`);
  assert.match(await page.getAttribute('a.button', 'href'), /^mailto:desk\.test@example\.org\?subject=/);

  // Take in charge, note, handled.
  await Promise.all([page.waitForURL(`${BASE}${requestPath}`), page.click('text=Prendi in carico')]);
  assert.equal(await page.textContent('.flash'), 'Richiesta presa in carico.');
  await page.fill('#note', 'Richiamata: appuntamento lunedì');
  await Promise.all([page.waitForURL(`${BASE}${requestPath}`), page.click('text=Aggiungi la nota')]);
  assert.match(await page.textContent('.history'), /Richiamata: appuntamento lunedì/);
  await Promise.all([page.waitForURL(`${BASE}${requestPath}`), page.click('text=Segna come evasa')]);
  assert.match(await page.textContent('p .status'), /Evasa/);

  // Every inbox page in Arabic (right to left) and in Italian.
  for (const lang of ['ar', 'it']) {
    for (const path of [requestPath, '/desk/', '/desk/export', '/desk/purge', '/desk/report']) {
      await noViolations(`${path}?lang=${lang}`);
    }
    // The report with a month it cannot read: the message beside the field.
    await noViolations(`/desk/report?from=March&lang=${lang}`);
  }
  await page.goto(`${BASE}${requestPath}?lang=ar`);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

  // At 320 px (WCAG reflow) no inbox page scrolls sideways, in any language:
  // the report's waiting times did in five of them. Wide tables scroll in
  // their own region instead.
  const narrow = await newContext(browser, {
    storageState: await context.storageState(), bypassCSP: true, viewport: { width: 320, height: 640 },
  });
  try {
    const p = await narrow.newPage();
    for (const lang of ['it', 'en', 'fr', 'ar', 'ro', 'sq', 'uk']) {
      for (const path of [requestPath, '/desk/', '/desk/export', '/desk/purge', '/desk/report']) {
        await p.goto(`${BASE}${path}?lang=${lang}`);
        const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
        assert.ok(scroll <= width, `${path} in ${lang} scrolls sideways at 320 px: ${scroll} > ${width}`);
      }
    }
  } finally {
    await narrow.close();
  }

  // Export: a CSV download.
  await page.goto(`${BASE}/desk/export?lang=it`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.stack button[type=submit]')]);
  assert.match(download.suggestedFilename(), /^richieste-\d{4}-\d{2}-\d{2}\.csv$/);

  // Sign out: the inbox is closed again.
  await page.goto(`${BASE}/desk/`);
  await Promise.all([page.waitForURL(/\/desk\/login/), page.click('.logout button')]);
  await page.goto(`${BASE}/desk/`);
  assert.equal(new URL(page.url()).pathname, '/desk/login');
  assert.deepEqual(context.foreign(), [], 'no request left the server');
  await page.close();
});
