#!/usr/bin/env python3
"""Editor's latency in `sportello serve`: from saving one page to that page
written, on the shared synthetic site (issue 13).

Generates the site (../shared/bench/gen_site.py, 4 languages), starts the
release `sportello serve` on it (output on tmpfs when /dev/shm exists), then
saves one page N times the way an editor's program does (open, write,
close), each time with a new sentence, and measures the time until the
page's HTML holds it. Prints every figure and the median. Needs PyYAML and
`cargo build --release --bin sportello`.

  python3 bench/edit_latency.py --pages 10000 --edits 7     # 40,000 pages
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import GEN, ROOT, to_contract  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000, help="pages per language (4 languages)")
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "sportello"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="sportello-edit-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        site = os.path.join(tmp, "site")
        subprocess.run([sys.executable, GEN, "--pages", str(args.pages), "--langs", "it,en,fr,ar",
                        "--layout", "neutral", "--out", site], check=True, stdout=subprocess.DEVNULL)
        to_contract(site)
        content = os.path.join(site, "content")
        section = sorted(d for d in os.listdir(content) if os.path.isdir(os.path.join(content, d)) and not d.startswith(("_", ".")))[0]
        name = sorted(f for f in os.listdir(os.path.join(content, section)) if f.endswith(".it.md") and not f.startswith("_"))[0]
        page = os.path.join(content, section, name)
        out = os.path.join(tmp, "public")
        html = os.path.join(out, "it", section, name[: -len(".it.md")], "index.html")
        port = free_port()
        log = open(os.path.join(tmp, "serve.log"), "w+")
        start = time.perf_counter()
        server = subprocess.Popen(
            [args.bin, "serve", "--content", content, "--themes", os.path.join(ROOT, "bench", "themes"),
             "--out", out, "--listen", f"127.0.0.1:{port}", "--queue", os.path.join(tmp, "q.jsonl"),
             "--no-live-reload"], stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                log.seek(0)
                if "serving http" in log.read():
                    break
                if server.poll() is not None:
                    log.seek(0)
                    sys.exit("sportello serve stopped:\n" + log.read())
                time.sleep(0.01)
            ready = time.perf_counter() - start
            with open(page, encoding="utf-8") as f:
                original = f.read()
            figures = []
            for i in range(args.edits):
                marker = f"Edit number {i} at {time.time_ns()}."
                with open(page, "w", encoding="utf-8") as f:
                    f.write(original + f"\n\n{marker}\n")
                saved = time.perf_counter()
                deadline = saved + 10
                while time.perf_counter() < deadline:
                    try:
                        with open(html, encoding="utf-8") as f:
                            if marker in f.read():
                                break
                    except FileNotFoundError:
                        pass
                    time.sleep(0.0005)
                else:
                    sys.exit(f"edit {i}: the page was not written within 10 s")
                figures.append((time.perf_counter() - saved) * 1000)
                time.sleep(0.3)  # let the server go idle between edits, as between an editor's saves
        finally:
            server.terminate()
            server.wait()
        pages = args.pages * 4
        print(f"{pages} pages: serve ready in {ready:.2f} s")
        print("save -> page written (ms): " + ", ".join(f"{x:.1f}" for x in figures))
        print(f"median {statistics.median(figures):.1f} ms, min {min(figures):.1f}, max {max(figures):.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
