"""Benchmark: does dedup cost grow with the new articles, not with the database?

Builds databases holding N stored articles (N = 1k, 10k, 100k by default), synthesised
from ../shared/bench/dedup/synd_dev: replica r of a document has every 4th word replaced
by a token of its own, so replicas share topic words (story candidates, as real news of
one beat does) but no word 5-gram (they are not copies of each other). History is bulk
loaded with the same signatures, band keys and story terms the pipeline writes, and with
entities (each article's first 12 capitalised words, as places: the story lookups join
the entities table and the story spans, and that cost must not grow with N). Then the
same 1,000 new articles (real synd_dev documents: originals, copies and others) are
deduplicated against each database in batches of 200, exactly as `dedup_task` does, and
timed. Ratios are against the smallest database, measured in the same run.

    .venv/bin/python bench/dedup_growth.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO.parent / "shared" / "bench" / "dedup" / "synd_dev" / "docs.jsonl"
sys.path.insert(0, str(REPO))

from newsetl.tasks import store  # noqa: E402
from newsetl.tasks.dedup import dedup_against_store, dedup_batch  # noqa: E402
import re  # noqa: E402

from newsetl.tasks.records import Article, Entity, StoredNeighbours, content_hash, stable_id  # noqa: E402

BATCH = 200
NEW = 1000
BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def article(doc_id: str, text: str, minute: int) -> Article:
    names = [m for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text)][:12]
    entities = tuple(Entity(m.group(), "GPE", m.start(), m.end(), m.group(), "place") for m in names)
    return Article(
        doc_id=doc_id, source_uri=doc_id, source="bench", raw_text=text, content_hash=content_hash(text),
        input_format="text", fetched_at=BASE + timedelta(minutes=minute), language="en", clean_text=text,
        entities=entities,
    )


def replica(text: str, r: int) -> str:
    words = text.split(" ")
    return " ".join(f"r{r}x{i}" if i % 4 == 3 else w for i, w in enumerate(words))


def build(db: Path, texts: list[str], n: int, per_day: int | None = None) -> float:
    """Bulk-load n synthetic stored articles; return seconds. They are fetched within ten
    days of BASE (every one inside a story window: the density grows with n), or, with
    `per_day`, `per_day` of them a day from BASE on (an archive growing at a constant rate)."""
    started = time.perf_counter()
    store.migrate(db)
    batch: list[Article] = []
    for k in range(n):
        r, i = divmod(k, len(texts))
        minute = k * 60 * 24 // per_day if per_day else k % (60 * 24 * 10)
        batch.append(article(stable_id("hist", str(k)), replica(texts[i], r + 1), minute))
        if len(batch) == 1000 or k == n - 1:
            # Each history batch is grouped on its own (no lookups): what matters here is
            # what the tables hold, not how the history's groups came about.
            result = dedup_batch(batch, StoredNeighbours())
            store.write_batch(db, "history", result.articles, result.decisions, result.band_rows,
                              story_term_rows=result.story_term_rows, doc_terms=result.doc_terms, term_counts=result.term_counts, sketches=result.sketches)
            batch = []
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in DOCS.read_text(encoding="utf-8").splitlines() if line.strip()]
    new = [article(stable_id("new", str(i)), text, 60 * 24 * 5 + i) for i, text in enumerate(texts[:NEW])]
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsetl-growth-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            db = Path(tmp) / f"db_{n}.duckdb"
            load_s = build(db, texts, n)
            started = time.perf_counter()
            copies = 0
            for start in range(0, len(new), BATCH):
                result = dedup_against_store(new[start : start + BATCH], str(db))
                copies += sum(1 for d in result.decisions if d.level == "copy")
            rows.append((n, time.perf_counter() - started, load_s, copies, db.stat().st_size / 2**20))
            db.unlink()
    n0, s0 = rows[0][0], rows[0][1]
    print(f"dedup of {NEW} new articles against a database of N stored articles (batches of {BATCH})")
    print(f"{'stored N':>9} {'dedup s':>8} {'ms/article':>11} {'ratio':>6} {'copies found':>13} {'db MB':>7} {'load s':>7}")
    for n, secs, load_s, copies, mb in rows:
        print(f"{n:>9} {secs:>8.1f} {1000 * secs / NEW:>11.2f} {secs / s0:>6.2f} {copies:>13} {mb:>7.0f} {load_s:>7.0f}")
    print(f"database grew {rows[-1][0] / n0:.0f}x; dedup time of the same new articles grew {rows[-1][1] / s0:.2f}x")


if __name__ == "__main__":
    main()
