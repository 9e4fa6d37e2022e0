#!/usr/bin/env python3
"""Converts a public multilingual site into Sportello's content contract.

The samples under tests/real/<site>/ were made with this script from the
commits named in tests/real/README.md; the test suite builds them with the
default theme (generator/cli/tests/real.rs). To remake one:

    git clone https://github.com/letsencrypt/website src && git -C src checkout <commit>
    python3 tests/real/convert.py letsencrypt src tests/real/letsencrypt

What it maps (the same for every site, so that the generator, not the
converter, meets the content as its authors wrote it):
- per-language folders (`content/he/docs/faq.md`, `_articles/ar/metrics.md`)
  become language suffixes (`docs/faq.he.md`); a folder's `index.md` or
  `_index.md` becomes its `_index.LANG.md`;
- front matter: `title` (or the first `# heading`, or the file name),
  `description`/`summary` -> `summary`, `weight`/`order` -> `weight`,
  `date`, `lastmod` -> `updated`, `draft`, `slug`, `aliases`/`redirect_from`
  -> `aliases`; every other key goes under `extra:`; a translation the
  source marks `untranslated` with no text of its own is left out (ours then
  shows the original as a fallback, as the source does);
- links to the site's own pages (`/docs/faq`, `/he/docs/faq/#general`,
  `../governance`) become links to their source file (`/docs/faq.md#general`)
  when that page is in the sample; others are left as they are;
- template calls into the source site's own theme are removed: Hugo
  shortcodes (`{{< name >}}`, `{{% name %}}`) in Hugo sites, Liquid tags
  (`{% … %}`, `{{ … }}`) in Jekyll sites; one exception, Let's Encrypt's
  glossary entries (`{{% def id="CA" name="Certificate Authority" abbr="CA" %}}
  text {{% /def %}}`), which carry the anchors other pages link to, become
  a heading with that explicit id (`### Certificate Authority (CA) {#def-CA}`)
  followed by the text.
Nothing else is changed: raw HTML, kramdown attributes, headings, tables and
the text stay as written.

Needs Python 3.9+ and PyYAML.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import posixpath
import re
import shutil
import sys

import yaml

RTL = {"ar", "fa", "he", "ur", "ps", "sd", "yi", "dv", "ckb"}

# The languages of each sample, in switcher order, with their own names.
NAMES = {
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "he": "עברית",
    "ro": "Română",
    "ru": "Русский",
    "uk": "Українська",
    "hi": "हिन्दी",
    "ja": "日本語",
    "zh-hans": "简体中文",
    "zh-cn": "简体中文",
}


class Site:
    """A source site: where its pages are and which of them the sample keeps."""

    templating = "hugo"  # or "jekyll": which template calls to remove

    name: str
    base_url: str
    title: dict[str, str]
    languages: list[str]

    def pages(self, src: pathlib.Path):
        """Yields (lang, key, path): `key` is the page's path in our tree
        without suffix (`docs/faq`, `_index`, `about/_index`)."""
        raise NotImplementedError

    def url_of(self, key: str) -> str:
        """The page's URL path on the source site, without language."""
        if key == "_index":
            return "/"
        if key.endswith("/_index"):
            return "/" + key[: -len("/_index")] + "/"
        return "/" + key + "/"


class OpenSourceGuide(Site):
    name = "opensource-guide"
    base_url = "https://opensource.guide"
    languages = ["en", "ar", "fa", "ro", "ru", "hi", "zh-hans"]
    keep = ["code-of-conduct", "metrics", "finding-users", "security-best-practices-for-your-project"]
    title = {"en": "Open Source Guides"}
    templating = "jekyll"

    def pages(self, src):
        art = src / "_articles"
        for lang in self.languages:
            folder = art if lang == "en" else art / lang
            for name in self.keep:
                p = folder / f"{name}.md"
                if p.exists():
                    yield lang, name, p
            home = folder / "index.html"
            if home.exists():
                yield lang, "_index", home
        config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
        self.home_en = {"title": config["title"], "description": config["description"]}


class LetsEncrypt(Site):
    name = "letsencrypt"
    base_url = "https://letsencrypt.org"
    languages = ["en", "he", "uk", "ja", "zh-cn", "ru"]
    keep = [
        "about", "contact", "getting-started", "how-it-works", "privacy", "certificates",
        "docs/_index", "docs/faq", "docs/glossary", "docs/rate-limits", "docs/challenge-types",
        "docs/revoking", "docs/staging-environment", "docs/certificates-for-localhost",
        "docs/cert-compat", "docs/why-all-https",
    ]
    posts = 10
    title = {"en": "Let's Encrypt"}

    def pages(self, src):
        for lang in self.languages:
            root = src / "content" / lang
            for key in self.keep:
                p = root / f"{key}.md"
                if p.exists():
                    yield lang, key, p
        posts = sorted(p for p in (src / "content/en/post").glob("*.md") if p.name != "_index.md")
        yield "en", "post/_index", src / "content/en/post/_index.md"
        for p in posts[-self.posts:]:
            yield "en", "post/" + p.stem, p


class NodeJs(Site):
    name = "nodejs"
    base_url = "https://nodejs.org"
    languages = ["en", "ar", "fa", "ro", "uk"]
    title = {"en": "Node.js"}
    posts = 20

    def pages(self, src):
        pages = src / "apps/site/pages"
        for lang in self.languages:
            root = pages / lang
            for p in sorted(root.rglob("*.md")):
                rel = p.relative_to(root).with_suffix("").as_posix()
                if rel.startswith("blog/"):
                    continue
                if rel == "index" or rel.endswith("/index"):
                    rel = rel[: -len("index")] + "_index"
                yield lang, rel, p
        blog = pages / "en/blog"
        yield "en", "blog/_index", blog / "index.md"
        for category in ["announcements", "community"]:
            posts = sorted((blog / category).glob("*.md"))
            yield "en", f"blog/{category}/_index", None
            for p in posts[-self.posts // 2:]:
                yield "en", f"blog/{category}/{p.stem}", p


SITES = {s.name: s for s in (OpenSourceGuide, LetsEncrypt, NodeJs)}

FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?", re.S)
DEF = re.compile(r"\{\{%\s*def\s+(.*?)%\}\}(.*?)\{\{%\s*/def\s*%\}\}", re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
INLINE_LINK = re.compile(r"(\]\()(<?)([^)\s>]+)(>?)((?:\s+\"[^\"]*\")?\))")
REF_LINK = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s+)(\S+)", re.M)


def plain(value):
    """Front-matter values as YAML can write them back (dates as text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def map_front(meta: dict, body: str, key: str) -> dict:
    out: dict = {}
    extra: dict = {}
    for k, v in meta.items():
        v = plain(v)
        if k == "title":
            out["title"] = str(v)
        elif k in ("description", "summary") and "summary" not in out:
            out["summary"] = str(v).strip()
        elif k in ("weight", "order") and isinstance(v, int) and "weight" not in out:
            out["weight"] = v
        elif k == "date":
            out["date"] = str(v)
        elif k == "lastmod":
            out["updated"] = str(v)
        elif k == "draft":
            out["draft"] = bool(v)
        elif k == "slug":
            out["slug"] = str(v)
        elif k in ("aliases", "redirect_from"):
            out["aliases"] = v if isinstance(v, list) else [v]
        else:
            extra[k] = v
    if "title" not in out:
        h1 = re.search(r"^#\s+(.+?)\s*$", body, re.M)
        out["title"] = h1.group(1) if h1 else key.rsplit("/", 1)[-1].replace("-", " ").capitalize()
    if extra:
        out["extra"] = extra
    return out


def definition(m: re.Match) -> str:
    """A glossary entry of Let's Encrypt (`def` shortcode) as a heading with its id."""
    attrs = dict(ATTR.findall(m.group(1)))
    name = attrs.get("name") or attrs.get("english") or attrs.get("abbr") or attrs["id"]
    if attrs.get("abbr") and attrs["abbr"] != name:
        name = f"{name} ({attrs['abbr']})"
    return f"### {name} {{#def-{attrs['id']}}}\n\n{m.group(2).strip()}\n"


def convert(site: Site, src: pathlib.Path, out: pathlib.Path) -> None:
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    entries = list(site.pages(src))
    keys = {key for _, key, _ in entries}
    by_url = {site.url_of(k).rstrip("/") or "/": k for k in keys}
    langs = set(site.languages)

    def relink(dest: str, key: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^#", dest, re.I):
            return dest
        path, _, anchor = dest.partition("#")
        path = path.split("?")[0]
        if not path.startswith("/"):
            here = site.url_of(key)
            path = posixpath.normpath(posixpath.join(here if here.endswith("/") else here + "/", "..", path)) \
                if not key.endswith("_index") else posixpath.normpath(posixpath.join(here, path))
        parts = path.strip("/").split("/")
        if parts and parts[0] in langs:
            parts = parts[1:]
        target = by_url.get("/" + "/".join(parts) if parts and parts != [""] else "/")
        if target is None:
            return dest
        return "/" + target + ".md" + ("#" + anchor if anchor else "")

    written = 0
    for lang, key, path in entries:
        if path is None:
            meta, body = {"title": key.split("/")[-2].capitalize()}, ""
        else:
            text = path.read_text(encoding="utf-8")
            m = FRONT.match(text)
            meta = (yaml.safe_load(m.group(1)) or {}) if m else {}
            body = text[m.end():] if m else text
            if path.suffix == ".html":
                body = ""
        if lang != "en" and meta.get("untranslated") and not body.strip():
            continue  # the source's placeholder for "show the English page"
        if key == "_index" and not meta.get("title") and getattr(site, "home_en", None):
            meta = dict(site.home_en)
        if site.templating == "hugo":
            body = DEF.sub(definition, body)
            body = SHORTCODE.sub("", body)
        else:
            body = LIQUID.sub("", body)
        body = INLINE_LINK.sub(lambda m: m.group(1) + m.group(2) + relink(m.group(3), key) + m.group(4) + m.group(5), body)
        body = REF_LINK.sub(lambda m: m.group(1) + relink(m.group(2), key), body)
        front = map_front(meta, body, key)
        name = "index" if key == "_index" else key
        dest = content / f"{name}.{lang}.md"
        dest.parent.mkdir(parents=True, exist_ok=True)
        yaml_text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        dest.write_text(f"---\n{yaml_text}---\n\n{body.lstrip()}", encoding="utf-8")
        written += 1

    site_yaml = {
        "base_url": site.base_url,
        "default_language": "en",
        "theme": "default",
        "title": site.title,
        "languages": [
            {"code": c, "name": NAMES[c], **({"direction": "rtl"} if c in RTL else {})}
            for c in site.languages
        ],
    }
    (content / "site.yaml").write_text(
        "# Made by tests/real/convert.py; see tests/real/README.md.\n"
        + yaml.safe_dump(site_yaml, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    print(f"{site.name}: {written} pages in {len(site.languages)} languages -> {content}")


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in SITES:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print(f"usage: convert.py {{{'|'.join(SITES)}}} SRC OUT", file=sys.stderr)
        return 2
    convert(SITES[argv[1]](), pathlib.Path(argv[2]), pathlib.Path(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
