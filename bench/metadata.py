"""Benchmark: metadata (title, date, authors, url, source) on fundus-tests, next to
trafilatura's and htmldate's own answers, plus url/source fill on the other cleanup sets.

Pages are read as a crawl leaves them: HTML files without their URL, source = the folder.
Our figures come from `extract_metadata` + `settle_metadata` (the metadata stage alone, no
cleanup, so a missing value is the stage's, not cleanup's fallback).

* title: exact (whitespace folded) and normalised (case, accents, punctuation folded) match.
  The title ranker's weights were trained on these pages, so newsetl's title figures here are
  in-sample; the figure that counts is bench/train_title_ranker.py's grouped cross-validation;
* date: right to the day (the gold's UTC or local day), wrong, missing (a year or month
  alone counts as missing);
* authors: micro precision / recall / F1 over normalised names, and the share of pages
  whose author set is exactly right. Fundus's gold also lists organisations ("dpa",
  "ORF.at", "MND Staff") as authors, which newsetl deliberately puts in `attribution`;
  `credited_f1` scores authors + attribution names against the same gold;
* url: filled, and the same host and path as the set's own URL; source: the URL's
  registrable domain, and the same as the gold URL's.

Also by language group (de / en / other) for the fundus figures: the rules were written
on none of them in particular, so the groups show how evenly they hold.

    .venv/bin/python bench/metadata.py [--limit N] [--no-baselines]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
import warnings
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
sys.path.insert(0, str(REPO))

from newsetl.tasks.ingest import _decode_body  # noqa: E402
from newsetl.tasks.metadata import extract_metadata, settle_metadata  # noqa: E402
from newsetl.tasks.metadata.urls import normalise_url, registrable_domain  # noqa: E402
from newsetl.tasks.records import Article, content_hash, stable_id  # noqa: E402

NOW = datetime.now(timezone.utc)


def key(text: str | None) -> str:
    folded = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def page_article(page_id: str, html: str, folder: str) -> Article:
    return Article(
        doc_id=stable_id(page_id), source_uri=page_id, source=folder, raw_text=html, content_hash=content_hash(html),
        input_format="html", fetched_at=NOW, source_from="folder",
    )


def ours(articles: list[Article], stored: list | None = None) -> list[dict]:
    out = []
    for a in settle_metadata(extract_metadata(articles)):
        if stored is not None:
            stored.append(a)
        day = a.published_at if a.published_precision == "day" else None
        credited = [*a.authors, *a.credits]
        out.append({"title": a.title, "date": day, "authors": list(a.authors), "credited": credited, "url": a.url, "source": a.source if a.source_from == "url" else None})
    return out


def trafilatura_answers(html: str) -> dict:
    from trafilatura import extract_metadata as tf_meta

    doc = tf_meta(html)
    date = datetime.strptime(doc.date, "%Y-%m-%d").replace(tzinfo=timezone.utc) if doc and doc.date else None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()] if doc else []
    url = doc.url if doc else None
    return {"title": doc.title if doc else None, "date": date, "authors": authors, "url": url, "source": registrable_domain(url)}


def htmldate_answer(html: str) -> dict:
    from htmldate import find_date

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = find_date(html)
    date = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc) if value else None
    return {"title": None, "date": date, "authors": [], "url": None, "source": None}


def date_verdict(found: datetime | None, gold: str) -> str:
    if found is None:
        return "missing"
    truth = datetime.fromisoformat(gold)
    days = {truth.date(), truth.astimezone(timezone.utc).date()}
    return "right" if found.astimezone(timezone.utc).date() in days else "wrong"


def score(rows: list[tuple[dict, dict]]) -> dict:
    """Scores of (answer, gold) pairs."""
    n = len(rows)
    s = defaultdict(float)
    tp = n_found = n_gold = 0
    ctp = c_found = 0
    for answer, gold in rows:
        s["title_exact"] += " ".join((answer["title"] or "").split()) == " ".join(gold["title"].split())
        s["title_norm"] += bool(answer["title"]) and key(answer["title"]) == key(gold["title"])
        s["date_" + date_verdict(answer["date"], gold["published_at"])] += 1
        found, truth = {key(a) for a in answer["authors"]} - {""}, {key(a) for a in gold["authors"]} - {""}
        tp += len(found & truth)
        n_found += len(found)
        n_gold += len(truth)
        s["authors_exact"] += found == truth
        credited = {key(a) for a in answer.get("credited", answer["authors"])} - {""}
        ctp += len(credited & truth)
        c_found += len(credited)
        s["url_filled"] += bool(answer["url"])
        s["url_right"] += bool(answer["url"]) and _same_page(answer["url"], gold["url"])
        s["source_filled"] += bool(answer["source"])
        s["source_right"] += bool(answer["source"]) and answer["source"] == registrable_domain(gold["url"])
    out = {k: v / n for k, v in s.items()}
    p, r = (tp / n_found if n_found else 0.0), (tp / n_gold if n_gold else 0.0)
    out.update(authors_p=p, authors_r=r, authors_f1=2 * p * r / (p + r) if p + r else 0.0, n=n)
    cp, cr = (ctp / c_found if c_found else 0.0), (ctp / n_gold if n_gold else 0.0)
    out["credited_f1"] = 2 * cp * cr / (cp + cr) if cp + cr else 0.0
    return out


def _same_page(found: str, gold: str) -> bool:
    a, b = urlsplit(normalise_url(found) or ""), urlsplit(normalise_url(gold) or "")
    return a.hostname == b.hostname and a.path.rstrip("/") == b.path.rstrip("/")


_DECLARES_URL = re.compile(r"""rel=["']?canonical|property=["']?og:url""", re.IGNORECASE)
COLUMNS = (
    "title_exact", "title_norm", "date_right", "date_wrong", "date_missing", "authors_p", "authors_r", "authors_f1",
    "authors_exact", "credited_f1", "url_filled", "url_right", "source_filled", "source_right",
)


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n### {title}\n")
    print("| system | n | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for name, r in results.items():
        print(f"| {name} | {r['n']} | " + " | ".join(f"{r.get(c, 0.0):.3f}" for c in COLUMNS) + " |")


def sweep(golds: list[dict], htmls: list[str], groups: dict[str, list[int]]) -> None:
    """Re-run the stage with each calibrated constant at other values; print the figure it
    moves, per language group, so a value fitted to one group shows up as such."""
    from datetime import timedelta

    import newsetl.tasks.metadata as stage
    from newsetl.tasks.metadata import authors, dates, html_meta, titles

    def figures(metric: str) -> str:
        answers = ours([page_article(g["id"], h, "fundus-tests") for g, h in zip(golds, htmls)])
        per_group = {lang: score([(answers[i], golds[i]) for i in idx])[metric] for lang, idx in sorted(groups.items())}
        return " | ".join(f"{v:.3f}" for v in per_group.values())

    langs = " | ".join(sorted(groups))
    print(f"\n### constants swept (by language group: {langs})\n")
    print(f"| constant | value | {langs} |")
    print("|---|---|" + "---|" * len(groups))

    def vary(modules, name: str, values, metric: str, shown=str, value_of=lambda v: v) -> None:
        """Set constant `name` of every module in `modules` to each value, print the figure, restore."""
        default = getattr(modules[0], name)
        for value in values:
            for module in modules:
                setattr(module, name, value_of(value))
            print(f"| {name} ({metric}) | {shown(value)} | {figures(metric)} |")
        for module in modules:
            setattr(module, name, default)

    vary([titles], "SITE_PART_MAX_WORDS", (2, 4, 6, 8, 12), "title_norm")
    vary([dates, stage], "URL_AGREEMENT", (0, 1, 2, 3, 7), "date_right", shown=lambda d: f"{d or 0.5} d",
         value_of=lambda d: timedelta(days=d, hours=12 if d == 0 else 0))
    vary([authors], "MAX_NAME_WORDS", (3, 4, 5, 6, 8), "authors_f1")
    vary([html_meta], "BYLINE_NAME_MAX_CHARS", (30, 50, 80, 120, 200), "authors_f1")
    vary([html_meta], "BYLINE_LINES_MAX", (1, 2, 4, 8), "authors_f1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N fundus pages (while iterating)")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-sets", action="store_true", help="skip the url/source check on the other cleanup sets")
    parser.add_argument("--sweep", action="store_true", help="the calibrated constants at other values, by language group")
    args = parser.parse_args()

    golds = [json.loads(line) for line in (BENCH / "metadata" / "fundus-tests.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
    golds = golds[: args.limit] if args.limit else golds
    html_dir = BENCH / "cleanup" / "fundus-tests" / "html"
    htmls = [_decode_body((html_dir / f"{g['id']}.html").read_bytes(), None) for g in golds]
    started = time.perf_counter()
    answers = ours([page_article(g["id"], h, "fundus-tests") for g, h in zip(golds, htmls)])
    elapsed = time.perf_counter() - started
    systems = {"newsetl metadata": answers}
    if not args.no_baselines:
        systems["trafilatura 2.3.1 metadata"] = [trafilatura_answers(h) for h in htmls]
        systems["htmldate (defaults)"] = [htmldate_answer(h) for h in htmls]
    print_table("fundus-tests: all pages", {name: score(list(zip(a, golds))) for name, a in systems.items()})
    groups = defaultdict(list)
    for i, g in enumerate(golds):
        groups[g["lang"] if g["lang"] in ("de", "en") else "other"].append(i)
    print_table("fundus-tests by language group (newsetl)", {
        f"{name} ({lang})": score([(systems[name][i], golds[i]) for i in idx]) for lang, idx in sorted(groups.items()) for name in list(systems)[:1]
    })
    print("\nnewsetl's title figures are in-sample (the title ranker was trained on these pages): "
          "bench/train_title_ranker.py gives the publisher-grouped cross-validated figure.")
    print(f"\nnewsetl metadata: {len(golds)} pages in {elapsed:.1f} s ({len(golds) / elapsed:.0f} pages/s)")

    if args.sweep:
        sweep(golds, htmls, groups)
    if args.no_sets:
        return
    print("\n### url and source on the other cleanup sets (pages whose pages.jsonl has a url)\n")
    print("| set | pages with url | declaring one | url filled | filled where declared | same page | source from url | same domain |")
    print("|---|---|---|---|---|---|---|---|")
    sanity = []
    for folder in sorted(p for p in (BENCH / "cleanup").iterdir() if (p / "pages.jsonl").exists()):
        pages = [json.loads(line) for line in (folder / "pages.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
        pages = [p for p in pages if p.get("url") and (folder / "html" / f"{p['id']}.html").exists()]
        if not pages:
            continue
        arts = [page_article(p["id"], _decode_body((folder / "html" / f"{p['id']}.html").read_bytes(), None), folder.name) for p in pages]
        kept: list[Article] = []
        got = ours(arts, kept)
        sanity.append((folder.name, kept))
        # Told by a plain pattern, not by the parser under test.
        declaring = [i for i, a in enumerate(arts) if _DECLARES_URL.search(a.raw_text)]
        filled_declared = sum(1 for i in declaring if got[i]["url"])
        n = len(pages)
        filled = sum(1 for a in got if a["url"])
        same = sum(1 for a, p in zip(got, pages) if a["url"] and _same_page(a["url"], p["url"]))
        src = sum(1 for a in got if a["source"])
        dom = sum(1 for a, p in zip(got, pages) if a["source"] and a["source"] == registrable_domain(p["url"]))
        share = f"{filled_declared / len(declaring):.3f}" if declaring else "-"
        print(f"| {folder.name} | {n} | {len(declaring)} | {filled / n:.3f} | {share} | {same / n:.3f} | {src / n:.3f} | {dom / n:.3f} |")
    print("\n### what the stage fills on those sets (no gold: shares of pages; site-name titles and January 1 days should be 0)\n")
    print("| set | pages | title | title = site name | dated to the day | year/month only | Jan 1 00:00 as a day | authors | attribution |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kept in sanity:
        n = len(kept)
        site_titles = sum(1 for a in kept if a.title and a.site_name and key(a.title) == key(a.site_name))
        days = [a for a in kept if a.published_precision == "day"]
        jan1 = sum(1 for a in days if (a.published_at.month, a.published_at.day, a.published_at.hour, a.published_at.minute) == (1, 1, 0, 0))
        coarse = sum(1 for a in kept if a.published_precision in ("year", "month"))
        print(
            f"| {name} | {n} | {sum(1 for a in kept if a.title) / n:.3f} | {site_titles / n:.3f} | {len(days) / n:.3f} | "
            f"{coarse / n:.3f} | {jan1 / n:.3f} | {sum(1 for a in kept if a.authors) / n:.3f} | {sum(1 for a in kept if a.credits) / n:.3f} |"
        )


if __name__ == "__main__":
    main()
