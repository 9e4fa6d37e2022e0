// Shared set-up of the browser tests: where the site is, how to start
// Chromium, how to find the pages. run.sh sets the SPORTELLO_* variables.
import { readFileSync, readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`bash tests/browser/run.sh\``);
  return v;
}

/** http://127.0.0.1:PORT of the running `sportello serve`, without a trailing slash. */
export const BASE = need('SPORTELLO_URL').replace(/\/$/, '');
/** The built site that server serves. */
export const SITE_DIR = need('SPORTELLO_SITE');
/** The queue file the server writes submissions to. */
export const QUEUE = need('SPORTELLO_QUEUE');
/** The built fixture site (fallback pages guaranteed), served by fixture-server.js. */
export const FIXTURE_DIR = need('SPORTELLO_FIXTURE_SITE');
export const ARTIFACTS = process.env.SPORTELLO_ARTIFACTS || join(ROOT, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches Debian's Chromium; Playwright never downloads a browser of its own. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * A browser context that records every request; `foreign()` lists those to
 * any host other than the local server (there must be none).
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  context.requests = requests;
  context.foreign = () => requests.filter((u) => !isLocal(u));
  return context;
}

export function isLocal(url) {
  if (url.startsWith('data:') || url.startsWith('about:') || url.startsWith('blob:')) return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

/** Every file under `dir` (recursively) whose name ends with `ext`, as absolute paths. */
export function filesUnder(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

/** The URL path a built file is served at (`it/guides/index.html` → `/it/guides/`). */
export function urlPathOf(siteDir, file) {
  const rel = relative(siteDir, file).split(sep).join('/');
  return '/' + rel.replace(/(^|\/)index\.html$/, '$1');
}

/** The built file behind a URL path (`/it/guides/` → `<site>/it/guides/index.html`). */
export function fileOf(siteDir, urlPath) {
  const p = decodeURIComponent(urlPath.split(/[?#]/)[0]);
  return join(siteDir, p.endsWith('/') ? p + 'index.html' : p);
}

/** The page paths listed in the built sitemap.xml (paths only, whatever the base URL). */
export function sitemapPaths(siteDir = SITE_DIR) {
  const xml = readFileSync(join(siteDir, 'sitemap.xml'), 'utf8');
  const paths = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1].trim()).pathname);
  return [...new Set(paths)];
}

export function read(siteDir, urlPath) {
  return readFileSync(fileOf(siteDir, urlPath), 'utf8');
}

/** The `<html lang>` of a built page. */
export function htmlLang(html) {
  return (html.match(/<html[^>]*\slang="([^"]+)"/) || [])[1];
}

/**
 * Whether a built page is a fallback: shown in one language with the text of
 * another. The contract says such a page carries a notice and a
 * rel=canonical to the original, which lives under another language's prefix.
 */
export function isFallback(html) {
  const lang = htmlLang(html);
  const canonical = (html.match(/<link\s+rel="canonical"\s+href="([^"]+)"/) || [])[1];
  if (!lang || !canonical) return false;
  let first;
  try {
    first = new URL(canonical).pathname.split('/')[1];
  } catch {
    return false;
  }
  return first !== lang && /^[a-z]{2,3}(-[a-z0-9]+)?$/i.test(first);
}

/**
 * The kinds of page of one language, found in the built site rather than
 * hard-coded slugs: the home, one guide and the section listing it, the
 * desks, the directory of associations by sector and by city, the contact
 * page (the page holding the form), the directory's form (a form
 * configured in site.yaml), its thanks page (the endpoint's
 * contract: /<lang>/contact/thanks/), the 404.
 */
export function pagesOfKind(lang, siteDir = SITE_DIR) {
  const paths = sitemapPaths(siteDir).filter((p) => p.startsWith(`/${lang}/`));
  const has = (re) => paths.find((p) => re.test(read(siteDir, p)));
  const guide = has(/<article class="guide"/);
  const section = guide && guide.replace(/[^/]+\/$/, '');
  return {
    home: `/${lang}/`,
    section,
    guide,
    desks: has(/<ul class="desks"/),
    directory: has(/data-view="directory"/),
    directoryCity: has(/data-view="directory_city"/),
    contact: has(/<form[^>]*class="contact-form"/),
    join: has(/<form[^>]*class="contact-form form-kind"/),
    thanks: `/${lang}/contact/thanks/`,
    notFound: `/${lang}/404.html`,
  };
}

export function navLinks(html) {
  const nav = (html.match(/<nav class="main-nav"[\s\S]*?<\/nav>/) || [''])[0];
  return [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
}
