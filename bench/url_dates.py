"""Benchmark: what the compact-URL-date cross-check (tasks/metadata/dates.compact_url_dates)
changes, on every cleanup set whose pages.jsonl carries the page's url.

Each page is run through the metadata stage twice with its URL given as the input's URL (as a
fetch or a WARC record gives it): with the cross-check and with it switched off. Printed per
set: pages, pages whose path has a compact token (6 or 8 digits as a whole slug part) that
reads as a plausible date, how many of those read one way only, and the pages whose date the
check changes (filled or overruled), each listed with the old and new date so they can be
looked at. On fundus-tests the gold date scores both runs (right to the day / wrong / missing).

    .venv/bin/python bench/url_dates.py [--fetched YYYY-MM-DD] [--sweep]

--sweep re-runs the check with COMPACT_OVERRULE_WITHIN at other values and lists the pages
each value changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
sys.path.insert(0, str(REPO))

from newsetl.tasks.ingest import _decode_body  # noqa: E402
from newsetl.tasks.metadata import dates, extract_metadata, settle_metadata  # noqa: E402
from newsetl.tasks.records import Article, content_hash, stable_id  # noqa: E402

from bench.metadata import date_verdict  # noqa: E402


def articles(folder: Path, pages: list[dict], fetched: datetime) -> list[Article]:
    out = []
    for p in pages:
        html = _decode_body((folder / "html" / f"{p['id']}.html").read_bytes(), None)
        out.append(Article(
            doc_id=stable_id(p["id"]), source_uri=p["id"], source=folder.name, raw_text=html, content_hash=content_hash(html),
            input_format="html", fetched_at=fetched, source_from="folder", url=p["url"],
        ))
    return out


def run(arts: list[Article], check: bool) -> list[Article]:
    """The metadata stage with the compact cross-check on or off."""
    real = dates.compact_url_dates
    if not check:
        dates.compact_url_dates = lambda url, latest: []
    try:
        return settle_metadata(extract_metadata(arts))
    finally:
        dates.compact_url_dates = real


def day(a: Article) -> datetime | None:
    return a.published_at if a.published_precision == "day" else None


def sweep(runs: list[tuple[str, list[dict], list[Article], list[Article]]]) -> None:
    """The pages the check changes with COMPACT_OVERRULE_WITHIN at other values (None: no limit)."""
    from datetime import timedelta

    default = dates.COMPACT_OVERRULE_WITHIN
    print("\n### COMPACT_OVERRULE_WITHIN swept: pages changed\n")
    for days in (31, 92, 183, 366, 731, 1096, None):
        dates.COMPACT_OVERRULE_WITHIN = timedelta(days=days) if days else timedelta.max
        changed = [f"{name} {p['id']}" for name, pages, arts, before in runs for p, b, a in zip(pages, before, run(arts, True)) if day(b) != day(a)]
        print(f"- {days or 'no limit'} days: {len(changed)}: {', '.join(changed)}")
    dates.COMPACT_OVERRULE_WITHIN = default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetched", default=None, help="fetch time of every page (default: now)")
    parser.add_argument("--sweep", action="store_true", help="COMPACT_OVERRULE_WITHIN at other values")
    args = parser.parse_args()
    fetched = datetime.fromisoformat(args.fetched).replace(tzinfo=timezone.utc) if args.fetched else datetime.now(timezone.utc)
    golds = {g["id"]: g for g in (json.loads(line) for line in (BENCH / "metadata" / "fundus-tests.jsonl").read_text(encoding="utf-8").split("\n") if line.strip())}
    print(f"fetch time {fetched.date()}\n")
    print("| set | pages with url | compact token read as a date | one reading only | dates changed | filled | overruled |")
    print("|---|---|---|---|---|---|---|")
    changed_rows, gold_rows, runs = [], [], []
    for folder in sorted(p for p in (BENCH / "cleanup").iterdir() if (p / "pages.jsonl").exists()):
        pages = [json.loads(line) for line in (folder / "pages.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
        pages = [p for p in pages if p.get("url") and (folder / "html" / f"{p['id']}.html").exists()]
        if not pages:
            continue
        arts = articles(folder, pages, fetched)
        before, after = run(arts, False), run(arts, True)
        runs.append((folder.name, pages, arts, before))
        readings = [dates.compact_url_dates(p["url"], fetched) for p in pages]
        changed = [(p, b, a) for p, b, a in zip(pages, before, after) if day(b) != day(a)]
        filled = sum(1 for _, b, _ in changed if day(b) is None)
        print(f"| {folder.name} | {len(pages)} | {sum(1 for r in readings if r)} | {sum(1 for r in readings if len(r) == 1)} | "
              f"{len(changed)} | {filled} | {len(changed) - filled} |")
        changed_rows += [(folder.name, p, b, a) for p, b, a in changed]
        if folder.name == "fundus-tests":
            gold_rows = [(golds[p["id"]], b, a) for p, b, a in zip(pages, before, after) if p["id"] in golds]
    print("\n### pages whose date changed\n")
    for name, p, b, a in changed_rows:
        print(f"- {name} {p['id']}: {p['url']}\n  {day(b) and day(b).date()} ({b.published_from}) -> {day(a) and day(a).date()} ({a.published_from})")
    if args.sweep:
        sweep(runs)
    if gold_rows:
        print("\n### fundus-tests with the URL as input: date right / wrong / missing\n")
        for label, index in (("without the cross-check", 1), ("with it", 2)):
            verdicts = [date_verdict(day(row[index]), row[0]["published_at"]) for row in gold_rows]
            n = len(verdicts)
            print(f"- {label}: " + " / ".join(f"{verdicts.count(v) / n:.3f}" for v in ("right", "wrong", "missing")) + f" (n={n})")


if __name__ == "__main__":
    main()
