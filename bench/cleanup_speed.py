"""Benchmark: cleanup speed on HTML pages, as a ratio to trafilatura's extraction in the same run.

Every 12th page of each dev set of ../shared/bench/cleanup with HTML (137 pages) goes through
`clean_html` (shipped line model, language given as "en") and through `trafilatura.extract`
alone; the table gives pages/s of each and their ratio. The machine is shared: absolute
pages/s move with its load, the ratio much less. Compare two checkouts by running this
file with each one's venv.

    .venv/bin/python bench/cleanup_speed.py [--every N]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO.parent / "shared" / "bench" / "cleanup"
SETS = ("scrapinghub", "dragnet", "cleaneval", "googletrends2017", "fundus-tests", "readability-pages", "wcxb-dev")


def sample(root: Path, every: int) -> list[tuple[str, str | None]]:
    """(html, url) of every `every`-th page of each set that has HTML."""
    pages = []
    for name in SETS:
        rows = [json.loads(line) for line in (root / name / "pages.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
        for row in rows[::every]:
            path = root / name / "html" / f"{row['id']}.html"
            if path.exists():
                pages.append((path.read_text(encoding="utf-8", errors="replace"), row.get("url")))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--every", type=int, default=12)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # trafilatura logs every page it finds odd
    import trafilatura

    from newsetl.tasks.cleanup import clean_html

    pages = sample(args.root, args.every)
    clean_html(pages[0][0], "en", url=pages[0][1])  # load the model and the stop words once
    timings = {}
    for label, run in (("clean_html", lambda h, u: clean_html(h, "en", url=u)), ("trafilatura.extract", lambda h, u: trafilatura.extract(h, url=u))):
        started = time.perf_counter()
        for html, url in pages:
            run(html, url)
        timings[label] = time.perf_counter() - started
    print(f"| {sys.prefix} | pages | clean_html pages/s | trafilatura pages/s | ratio |\n|---|---|---|---|---|")
    print(f"| | {len(pages)} | {len(pages) / timings['clean_html']:.1f} | {len(pages) / timings['trafilatura.extract']:.1f} "
          f"| {timings['trafilatura.extract'] / timings['clean_html']:.2f} |")


if __name__ == "__main__":
    main()
