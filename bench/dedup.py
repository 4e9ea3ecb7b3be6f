"""Benchmark: dedup quality on the dev sets, with the MinHash LSH baseline from the same run.

* synd_dev (copy level): real BBC articles and syndicated copies of them. Our dedup runs
  as the pipeline runs it — language detection, cleanup, then batches of 200 deduped
  against a real DuckDB file holding the earlier batches — and its `dup_group`s are
  scored as pairs against the gold clusters, with recall per transform tag.
* semeval22 en-en (story level): our `story_id`s on the labelled pairs.

Pairwise metrics: over all pairs of documents, a pair is positive when both share a
cluster. B-cubed F1 as a second view.

    .venv/bin/python bench/dedup.py [--sets synd_dev,semeval22]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "bench" / "dedup"
sys.path.insert(0, str(REPO))

from rensa import RMinHash, RMinHashLSH  # noqa: E402

from newsetl.tasks import store  # noqa: E402
from newsetl.tasks.cleanup import clean_articles  # noqa: E402
from newsetl.tasks.dedup import dedup_against_store, shingles  # noqa: E402
from newsetl.tasks.ingest import InputUnit, record_to_article  # noqa: E402
from newsetl.tasks.language import detect_languages  # noqa: E402

BATCH = 200


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pairs_of(clusters: dict[str, str]) -> set[tuple[str, str]]:
    members = defaultdict(list)
    for doc, cluster in clusters.items():
        members[cluster].append(doc)
    return {tuple(sorted(p)) for docs in members.values() for p in combinations(docs, 2)}


def prf(predicted: set, gold: set) -> tuple[float, float, float]:
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(gold) if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> float:
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for d, c in pred.items():
        by_pred[c].add(d)
    for d, c in gold.items():
        by_gold[c].add(d)
    p = sum(len(by_pred[pred[d]] & by_gold[gold[d]]) / len(by_pred[pred[d]]) for d in gold) / len(gold)
    r = sum(len(by_pred[pred[d]] & by_gold[gold[d]]) / len(by_gold[gold[d]]) for d in gold) / len(gold)
    return 2 * p * r / (p + r)


def run_our_dedup(docs: list[dict]) -> tuple[dict[str, str], dict[str, str], float]:
    """Run cleanup and dedup over docs in batches against a real DuckDB file.

    Returns ({id: dup_group}, {id: story_id}, seconds spent in dedup)."""
    unit = InputUnit("bench.jsonl", "bench")
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    articles = []
    for i, doc in enumerate(docs):
        a = record_to_article({"id": doc["id"], "text": doc["text"]}, unit, f"bench#{doc['id']}", b"", base + timedelta(seconds=i))
        articles.append(a)
    articles = clean_articles(detect_languages(articles))
    id_of = {a.doc_id: doc["id"] for a, doc in zip(articles, docs)}
    spent = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        store.migrate(db)
        for start in range(0, len(articles), BATCH):
            batch = articles[start : start + BATCH]
            started = time.perf_counter()
            result = dedup_against_store(batch, db)
            spent += time.perf_counter() - started
            store.write_batch(
                db, "bench", result.articles, result.decisions, result.band_rows,
                story_term_rows=result.story_term_rows, doc_terms=result.doc_terms,
            )
        rows = store.query(db, "SELECT doc_id, dup_group, story_id FROM articles")[1]
    return {id_of[d]: id_of.get(g, g) for d, g, _ in rows}, {id_of[d]: id_of.get(s, s) for d, _, s in rows}, spent


def minhash_baseline(docs: list[dict], threshold: float = 0.5) -> dict[str, str]:
    """MinHash LSH (128 permutations, word 5-grams) over raw text, connected components."""
    lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)
    hashes = {}
    for i, doc in enumerate(docs):
        mh = RMinHash(num_perm=128, seed=42)
        mh.update(sorted(shingles(doc["text"])))
        hashes[i] = mh
        lsh.insert(i, mh)
    parent = list(range(len(docs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, mh in hashes.items():
        for j in lsh.query(mh):
            if j != i and hashes[i].jaccard(hashes[j]) >= threshold:
                parent[find(i)] = find(j)
    return {doc["id"]: docs[find(i)]["id"] for i, doc in enumerate(docs)}


def synd_dev() -> None:
    folder = DATA / "synd_dev"
    docs = read_jsonl(folder / "docs.jsonl")
    gold_rows = read_jsonl(folder / "gold.jsonl")
    gold = {r["id"]: r["cluster"] for r in gold_rows}
    tags = {r["id"]: r["tags"] for r in gold_rows}
    gold_pairs = pairs_of(gold)
    print(f"synd_dev: {len(docs)} documents, {len(gold_pairs)} gold copy pairs")
    print(f"{'system':<28} {'P':>6} {'R':>6} {'F1':>6} {'B3 F1':>6} {'sec':>6}")
    started = time.perf_counter()
    baseline = minhash_baseline(docs)
    base_s = time.perf_counter() - started
    ours, _, ours_s = run_our_dedup(docs)
    results = {"MinHash LSH 0.5 (baseline)": (baseline, base_s), "newsetl dup_group": (ours, ours_s)}
    for name, (pred, secs) in results.items():
        p, r, f = prf(pairs_of(pred), gold_pairs)
        print(f"{name:<28} {p:>6.3f} {r:>6.3f} {f:>6.3f} {bcubed(pred, gold):>6.3f} {secs:>6.1f}")
    print("recall per transform tag (gold pairs that involve a copy with the tag):")
    names = sorted({t for ts in tags.values() for t in ts if ":" not in t})
    print(f"  {'tag':<16} {'pairs':>6} " + " ".join(f"{n[:20]:>22}" for n in results))
    for tag in names:
        tagged = {pr for pr in gold_pairs if tag in tags[pr[0]] or tag in tags[pr[1]]}
        line = " ".join(f"{len(pairs_of(pred) & tagged) / len(tagged):>22.3f}" for pred, _ in results.values())
        print(f"  {tag:<16} {len(tagged):>6} {line}")


def semeval22() -> None:
    folder = DATA / "semeval22"
    docs = read_jsonl(folder / "docs_en.jsonl")
    pairs = [p for p in read_jsonl(folder / "pairs_en.jsonl") if p["a"] != p["b"]]
    known = {d["id"] for d in docs}
    pairs = [p for p in pairs if p["a"] in known and p["b"] in known]
    gold = {(p["a"], p["b"]) for p in pairs if p["label"]}
    print(f"semeval22 en-en: {len(docs)} documents, {len(pairs)} labelled pairs ({len(gold)} same story)")
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = {d["id"]: d["text"] for d in docs}
    started = time.perf_counter()
    matrix = TfidfVectorizer(stop_words="english").fit_transform([texts[d["id"]] for d in docs])
    row = {d["id"]: i for i, d in enumerate(docs)}
    baseline = {(p["a"], p["b"]) for p in pairs if (matrix[row[p["a"]]] @ matrix[row[p["b"]]].T).toarray()[0, 0] >= 0.2}
    base_s = time.perf_counter() - started
    _, stories, ours_s = run_our_dedup(docs)
    ours = {(p["a"], p["b"]) for p in pairs if stories[p["a"]] == stories[p["b"]]}
    print(f"{'system':<36} {'P':>6} {'R':>6} {'F1':>6} {'sec':>6}")
    for name, pred, secs in (("TF-IDF cosine >= 0.2, pairwise", baseline, base_s), ("newsetl story_id", ours, ours_s)):
        p, r, f = prf(pred, gold)
        print(f"{name:<36} {p:>6.3f} {r:>6.3f} {f:>6.3f} {secs:>6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="synd_dev,semeval22")
    args = parser.parse_args()
    for name in args.sets.split(","):
        {"synd_dev": synd_dev, "semeval22": semeval22}[name]()
        print()


if __name__ == "__main__":
    main()
