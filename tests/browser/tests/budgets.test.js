// Budgets on the built site: every page's HTML + CSS + JS at most 50 KB
// (50,000 bytes) before compression; exactly one stylesheet per page, with a
// content hash in its name; and, in Chromium, no request to any host other
// than the local server on any page. The search pages are the exception
// (Pagefind's interface is their whole point): their weight is reported, and
// the README states it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BASE, SITE_DIR, launch, newContext, filesUnder, urlPathOf, fileOf, sitemapPaths } from '../lib/env.js';

const BUDGET = 50_000;

/** The attributes of every `<tag …>` in `html`, as objects. */
function tags(html, tag) {
  return [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))].map((m) => {
    const attrs = {};
    for (const a of m[1].matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
      attrs[a[1].toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    return attrs;
  });
}

/** A local URL of the page's as a built file path (or null for another host). */
function local(href, pageUrlPath) {
  const u = new URL(href, 'http://site.invalid' + pageUrlPath);
  return u.host === 'site.invalid' ? fileOf(SITE_DIR, u.pathname) : null;
}

const pages = filesUnder(SITE_DIR, '.html');
/** `/ar/search/`: a language's search page. */
const isSearchPage = (path) => /^\/[a-z]{2,3}(-[a-z0-9]+)?\/search\/$/i.test(path);

test('budgets: every page has one fingerprinted stylesheet and HTML + CSS + JS ≤ 50 KB', (t) => {
  assert.ok(pages.length > 10, `found ${pages.length} pages`);
  const problems = [];
  const sizes = [];
  const searchSizes = [];
  for (const file of pages) {
    const path = urlPathOf(SITE_DIR, file);
    const search = isSearchPage(path);
    const html = readFileSync(file, 'utf8');
    const sheets = tags(html, 'link').filter((a) => (a.rel || '').toLowerCase().split(/\s+/).includes('stylesheet'));
    // The search page adds Pagefind's stylesheet, published with its index.
    const expected = search ? 2 : 1;
    if (sheets.length !== expected) problems.push(`${path}: ${sheets.length} stylesheets linked, expected ${expected}`);
    let total = statSync(file).size;
    for (const s of sheets) {
      const f = local(s.href, path);
      if (!f) { problems.push(`${path}: stylesheet on another host: ${s.href}`); continue; }
      if (!existsSync(f)) { problems.push(`${path}: stylesheet ${s.href} is not in the built site`); continue; }
      const bytes = readFileSync(f);
      total += bytes.length;
      const hash = (s.href.match(/[.-]([0-9a-f]{8,})\.css$/) || [])[1];
      if (search && s.href === `${path}pagefind/pagefind-ui.css`) continue;
      if (!hash) problems.push(`${path}: stylesheet ${s.href} has no content hash in its name`);
      else if (!['sha256', 'sha1', 'md5', 'sha384', 'sha512'].some((alg) => createHash(alg).update(bytes).digest('hex').startsWith(hash))) {
        problems.push(`${path}: ${s.href}: ${hash} is not a digest of the file's content`);
      }
      if (/@import\b/.test(bytes.toString('utf8'))) problems.push(`${path}: ${s.href} @imports another stylesheet`);
    }
    for (const sc of tags(html, 'script').filter((a) => a.src)) {
      const f = local(sc.src, path);
      if (!f) { problems.push(`${path}: script on another host: ${sc.src}`); continue; }
      if (!existsSync(f)) { problems.push(`${path}: script ${sc.src} is not in the built site`); continue; }
      total += statSync(f).size;
    }
    if (search) { searchSizes.push([total, path]); continue; }
    sizes.push([total, path]);
    if (total > BUDGET) problems.push(`${path}: HTML + CSS + JS = ${total} bytes, over the ${BUDGET}-byte budget`);
  }
  sizes.sort((a, b) => b[0] - a[0]);
  t.diagnostic(`heaviest: ${sizes.slice(0, 3).map(([n, p]) => `${p} ${n} B`).join(', ')}`);
  t.diagnostic(`search pages (over budget by design): ${searchSizes.map(([n, p]) => `${p} ${n} B`).join(', ')}`);
  const langs = new Set(sitemapPaths().map((p) => p.split('/')[1]));
  assert.equal(searchSizes.length, langs.size, 'one search page per language');
  assert.deepEqual(problems, []);
});

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('requests: every page loads only from the local server (127.0.0.1)', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  const paths = ['/', ...sitemapPaths(), ...pages.map((f) => urlPathOf(SITE_DIR, f))];
  const seen = new Set();
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    await page.goto(BASE + p, { waitUntil: 'load' });
  }
  await context.close();
  assert.ok(seen.size > 10, `visited ${seen.size} pages`);
  assert.ok(context.requests.length >= seen.size, 'requests were recorded');
  assert.deepEqual(context.foreign(), [], 'requests to hosts other than 127.0.0.1');
  assert.deepEqual(failed, [], 'requests that failed');
});
