"""Benchmark: dedup quality on the dev sets, with baselines from the same run.

* synd_dev (copy level): real BBC articles and syndicated copies of them. Our dedup runs
  as the pipeline runs it — language detection, cleanup, then batches of 200 deduped
  against a real DuckDB file holding the earlier batches — and its `dup_group`s are
  scored as pairs against the gold clusters, with recall per transform tag. Baseline:
  MinHash LSH.
* ecbplus_dev (story level, events not topics): our `story_id`s as pairs against the
  gold events; baseline TF-IDF cosine average-link clustering at 0.2.
* semeval22 (story level, every language pair): our `story_id`s on the labelled pairs,
  en-en, cross-lingual and the other same-language pairs reported apart; baseline
  TF-IDF cosine >= 0.2 per pair.

The story sets run the real stages before dedup: language, cleanup and entity
extraction (tasks/entities.py); their output is cached under /tmp (never in the repo).

`--calibrate` grid-searches the story weights (NAME_WEIGHT, STORY_THRESHOLD) with
in-memory runs (one batch, same code), prints the grid and leave-one-set-out figures:
fitted on ecbplus_dev and scored on semeval22, and the other way round.

Pairwise metrics: over all pairs of documents, a pair is positive when both share a
cluster. B-cubed F1 as a second view.

    .venv/bin/python bench/dedup.py [--sets synd_dev,ecbplus_dev,semeval22] [--calibrate]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "bench" / "dedup"
sys.path.insert(0, str(REPO))

from rensa import RMinHash, RMinHashLSH  # noqa: E402

from newsetl.tasks import dedup, store  # noqa: E402
from newsetl.tasks.cleanup import clean_articles  # noqa: E402
from newsetl.tasks.dedup import dedup_against_store, dedup_batch, shingles  # noqa: E402
from newsetl.tasks.entities import extract_entities  # noqa: E402
from newsetl.tasks.records import StoredNeighbours  # noqa: E402
from newsetl.tasks.ingest import InputUnit, record_to_article  # noqa: E402
from newsetl.tasks.language import detect_languages  # noqa: E402

BATCH = 200
CACHE = Path(tempfile.gettempdir()) / "newsetl-bench-cache"


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


def stage_files() -> list[Path]:
    """The code and model metadata the prepared articles depend on (the cache key): cleanup
    (a package), language, entities and the shipped NER models' meta.json."""
    files = sorted((REPO / "tasks" / "cleanup").glob("*.py")) + sorted((REPO / "tasks" / "cleanup").glob("*.json"))
    files += [REPO / "tasks" / f for f in ("entities.py", "entity_ids.py", "language.py", "chrome_phrases.py", "models.py")]
    files += sorted((REPO / "models").glob("*/meta.json"))
    return [f for f in files if f.exists()]


def prepared(docs: list[dict], entities: bool = False) -> list:
    """Return the docs as articles after language detection, cleanup and (with `entities`)
    entity extraction, as the pipeline makes them; fetched one second apart (no dates).
    Articles with entities are cached under /tmp, keyed by the texts and the code."""
    key = hashlib.sha1(json.dumps([docs, entities]).encode() + b"".join(p.read_bytes() for p in stage_files())).hexdigest()[:16]
    cached = CACHE / f"{key}.pkl"
    if entities and cached.exists():
        return pickle.loads(cached.read_bytes())
    unit = InputUnit("bench.jsonl", "bench")
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    articles = []
    for i, doc in enumerate(docs):
        a = record_to_article({"id": doc["id"], "text": doc["text"]}, unit, f"bench#{doc['id']}", b"", base + timedelta(seconds=i))
        articles.append(a)
    articles = clean_articles(detect_languages(articles))
    if entities:
        articles = extract_entities(articles)
        CACHE.mkdir(exist_ok=True)
        cached.write_bytes(pickle.dumps(articles))
    return articles


def run_our_dedup(docs: list[dict], articles: list | None = None) -> tuple[dict[str, str], dict[str, str], float]:
    """Run dedup over the prepared articles of docs in batches against a real DuckDB file.

    Returns ({id: dup_group}, {id: story_id}, seconds spent in dedup)."""
    articles = articles if articles is not None else prepared(docs)
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
                story_term_rows=result.story_term_rows, doc_terms=result.doc_terms, term_counts=result.term_counts, sketches=result.sketches,
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


def tfidf_average_link(docs: list[dict], threshold: float = 0.2) -> dict[str, str]:
    """Baseline: TF-IDF (English stop words) cosine, average-link clustering cut at `threshold`."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(stop_words="english").fit_transform([d["text"] for d in docs]).toarray()
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - threshold
    ).fit_predict(matrix)
    return {d["id"]: f"c{label}" for d, label in zip(docs, labels)}


def ecbplus_data() -> tuple[list[dict], dict[str, str], dict[str, str]]:
    folder = DATA / "ecbplus_dev"
    docs = read_jsonl(folder / "docs.jsonl")
    gold_rows = read_jsonl(folder / "gold.jsonl")
    return docs, {r["id"]: r["cluster"] for r in gold_rows}, {r["id"]: r["topic"] for r in gold_rows}


def ecbplus_scores(stories: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float, float]:
    """(P, R, F1, B-cubed F1) of story ids against the gold events."""
    return (*prf(pairs_of(stories), pairs_of(gold)), bcubed(stories, gold))


def ecbplus_dev() -> None:
    docs, gold, topic = ecbplus_data()
    print(f"ecbplus_dev: {len(docs)} documents, {len(pairs_of(gold))} same-event pairs, {len(set(topic.values()))} topics")
    started = time.perf_counter()
    baseline = tfidf_average_link(docs)
    base_s = time.perf_counter() - started
    articles = prepared(docs, entities=True)
    _, stories, ours_s = run_our_dedup(docs, articles)
    # Why the as-run figure is below the dates-dropped one: cleanup finds dates (datelines,
    # dates in the text) in 128 of the 249 ECB+ articles, 2011-2013; the others have none
    # and were "fetched" by this bench in 2026. An undated article joins a dated story on
    # content (tasks/dedup.py story_time: the fetch time only bounds it; all are fetched in
    # one crawl here, so every dated story is within reach: tasks/dedup.py reachable), so one
    # event no longer splits into dated and undated halves (F1 0.745 -> 0.764, P 0.817 -> 0.701,
    # R 0.684 -> 0.839, before and after that change on the same prepared articles; semeval22
    # en-en 0.830 -> 0.838, other same-language 0.735 -> 0.740; session 9, undated = its fetch
    # time +-window as issue 13 words it, on today's code: ecbplus 0.767 -> 0.748 (P 0.818,
    # R 0.688), semeval en-en 0.833 -> 0.825, other 0.747 -> 0.744); what is left is the dated members of 10 of the 21 ECB+ events spread
    # over more than 14 days (up to 545: follow-ups and dates that are not the publication
    # date), which the anchored window splits. The same run with the dates dropped shows
    # what the similarity and the linkage alone do.
    _, undated, undated_s = run_our_dedup(docs, [replace(a, published_at=None) for a in articles])
    print(f"{'system':<36} {'P':>6} {'R':>6} {'F1':>6} {'B3 F1':>6} {'sec':>6}")
    for name, pred, secs in (("TF-IDF average link 0.2 (baseline)", baseline, base_s), ("newsetl story_id", stories, ours_s),
                             ("newsetl story_id, dates dropped", undated, undated_s)):
        p, r, f, b3 = ecbplus_scores(pred, gold)
        print(f"{name:<36} {p:>6.3f} {r:>6.3f} {f:>6.3f} {b3:>6.3f} {secs:>6.1f}")
    # Per-topic folds: nothing here is fitted per topic, so this shows the spread.
    worst = sorted((ecbplus_scores({d: stories[d] for d in gold if topic[d] == t}, {d: gold[d] for d in gold if topic[d] == t})[2], t) for t in set(topic.values()))
    print("weakest topics (pair F1):", ", ".join(f"{t}: {f:.2f}" for f, t in worst[:5]))


def pair_group(lang: str) -> str:
    """'en-en', 'cross-lingual' (two languages), or 'other same-language'."""
    a, b = lang.split("-")
    return "en-en" if lang == "en-en" else ("cross-lingual" if a != b else "other same-language")


def semeval_data() -> tuple[list[dict], list[dict]]:
    folder = DATA / "semeval22"
    docs = read_jsonl(folder / "docs.jsonl")
    known = {d["id"] for d in docs}
    pairs = [p for p in read_jsonl(folder / "pairs.jsonl") if p["a"] != p["b"] and p["a"] in known and p["b"] in known]
    return docs, pairs


def semeval_scores(stories: dict[str, str], pairs: list[dict]) -> dict[str, tuple[float, float, float]]:
    """{group: (P, R, F1)} of same-story predictions on the labelled pairs, per pair_group and per language pair."""
    return pair_scores(pairs, lambda p: stories[p["a"]] == stories[p["b"]])


def pair_scores(pairs: list[dict], same: Callable[[dict], bool]) -> dict[str, tuple[float, float, float]]:
    """{group: (P, R, F1)} of the pairs `same` says are one story, per pair_group and per language pair."""
    out = {}
    groups = defaultdict(list)
    for p in pairs:
        groups[pair_group(p["lang"])].append(p)
        if p["lang"] != "en-en":
            groups[p["lang"]].append(p)
    for name, group in groups.items():
        gold = {(p["a"], p["b"]) for p in group if p["label"]}
        out[name] = prf({(p["a"], p["b"]) for p in group if same(p)}, gold)
    return out


def semeval22() -> None:
    docs, pairs = semeval_data()
    from sklearn.feature_extraction.text import TfidfVectorizer

    print(f"semeval22: {len(docs)} documents, {len(pairs)} labelled pairs ({sum(p['label'] for p in pairs)} same story)")
    started = time.perf_counter()
    matrix = TfidfVectorizer().fit_transform([d["text"] for d in docs])
    row = {d["id"]: i for i, d in enumerate(docs)}
    cos = {(p["a"], p["b"]): (matrix[row[p["a"]]] @ matrix[row[p["b"]]].T).toarray()[0, 0] for p in pairs}
    base_s = time.perf_counter() - started
    # The baseline of the en-en figures before: English stop words, fitted on the English docs.
    en_docs = [d for d in docs if d["lang"] == "en"]
    en_matrix = TfidfVectorizer(stop_words="english").fit_transform([d["text"] for d in en_docs])
    en_row = {d["id"]: i for i, d in enumerate(en_docs)}
    for p in pairs:
        if p["lang"] == "en-en":
            cos[(p["a"], p["b"])] = (en_matrix[en_row[p["a"]]] @ en_matrix[en_row[p["b"]]].T).toarray()[0, 0]
    baseline_scores = pair_scores(pairs, lambda p: cos[(p["a"], p["b"])] >= 0.2)
    _, stories, ours_s = run_our_dedup(docs, prepared(docs, entities=True))
    ours = semeval_scores(stories, pairs)
    languages = sorted({p["lang"] for p in pairs if p["lang"] != "en-en"})
    print(f"{'pairs':<22} {'n':>5} {'same':>5}   {'baseline P/R/F1':>20}   {'newsetl story_id P/R/F1':>24}")
    for name in ("en-en", "cross-lingual", "other same-language", *languages):
        group = [p for p in pairs if (pair_group(p["lang"]) if name in ("en-en", "cross-lingual", "other same-language") else p["lang"]) == name]
        n, same = len(group), sum(p["label"] for p in group)
        b, o = baseline_scores[name], ours[name]
        print(f"{name:<22} {n:>5} {same:>5}   {b[0]:>6.3f} {b[1]:>6.3f} {b[2]:>6.3f}   {o[0]:>8.3f} {o[1]:>6.3f} {o[2]:>6.3f}")
    print(f"seconds: baseline {base_s:.1f}, newsetl dedup {ours_s:.1f} (baseline en-en: English stop words, fitted on the English docs; TF-IDF cosine >= 0.2 per pair)")


def in_memory_stories(articles: list, sigs: dict, name_weight: float, threshold: float) -> dict[str, str]:
    """{doc_id: story_id} of one in-memory dedup_batch over all articles with the given weights."""
    saved = dedup.NAME_WEIGHT, dedup.STORY_THRESHOLD
    dedup.NAME_WEIGHT, dedup.STORY_THRESHOLD = name_weight, threshold
    try:
        return {a.doc_id: a.story_id for a in dedup_batch(articles, StoredNeighbours(), sigs).articles}
    finally:
        dedup.NAME_WEIGHT, dedup.STORY_THRESHOLD = saved


WEIGHTS = (0.0, 0.2, 0.35, 0.5)
THRESHOLDS = (0.1, 0.12, 0.14, 0.17, 0.2)


def semeval_f1(scores: dict) -> float:
    """Mean story-pair F1 over semeval22's three pair groups (`semeval_scores` output): every language counts."""
    return sum(scores[g][2] for g in ("en-en", "cross-lingual", "other same-language")) / 3


def calibrate() -> None:
    """Grid of (NAME_WEIGHT, STORY_THRESHOLD) on both story sets; leave-one-set-out figures."""
    e_docs, e_gold, _ = ecbplus_data()
    s_docs, s_pairs = semeval_data()
    # Dates off: the weights are about similarity. On ecbplus_dev only the ECB+ half carries
    # dateline dates (2011-2013) and the rest counts at the bench's fetch time, which the
    # anchored window keeps apart whatever the weights (see the as-run figures).
    e_articles = [replace(a, published_at=None) for a in prepared(e_docs, entities=True)]
    s_articles = [replace(a, published_at=None) for a in prepared(s_docs, entities=True)]
    e_sigs, s_sigs = dedup.signatures(e_articles), dedup.signatures(s_articles)
    e_id = {a.doc_id: d["id"] for a, d in zip(e_articles, e_docs)}
    s_id = {a.doc_id: d["id"] for a, d in zip(s_articles, s_docs)}
    grid = {}
    print("calibration grid (in-memory, one batch): ecbplus pair P/R/F1 | semeval F1 en-en, cross-lingual, other same-language")
    for w in WEIGHTS:
        for t in THRESHOLDS:
            es = {e_id[d]: e_id.get(s, s) for d, s in in_memory_stories(e_articles, e_sigs, w, t).items()}
            ss = {s_id[d]: s_id.get(s, s) for d, s in in_memory_stories(s_articles, s_sigs, w, t).items()}
            e = ecbplus_scores(es, e_gold)
            sv = semeval_scores(ss, s_pairs)
            grid[(w, t)] = (e, sv)
            print(f"  w={w:<5} t={t:<5} {grid_figures(e, sv)}", flush=True)

    fit_e = max(grid, key=lambda k: (grid[k][0][2], -k[0], k[1]))
    fit_s = max(grid, key=lambda k: (semeval_f1(grid[k][1]), -k[0], k[1]))
    fit_both = max(grid, key=lambda k: (grid[k][0][2] + semeval_f1(grid[k][1]), -k[0], k[1]))
    print("leave-one-set-out (fitted on one set, scored on the other):")
    for label, key in (("fit on ecbplus_dev", fit_e), ("fit on semeval22", fit_s), ("fit on both (shipped candidate)", fit_both)):
        print(f"  {label:<32} w={key[0]} t={key[1]}: {fit_figures(*grid[key])}")


def grid_figures(e: tuple, sv: dict) -> str:
    """One grid point's story figures: ecbplus P/R/F1 | semeval F1 en-en, cross-lingual, other."""
    return (f"ecbplus {e[0]:.3f}/{e[1]:.3f}/{e[2]:.3f} | semeval {sv['en-en'][2]:.3f} {sv['cross-lingual'][2]:.3f} "
            f"{sv['other same-language'][2]:.3f}")


def fit_figures(e: tuple, sv: dict) -> str:
    """A fitted choice's story figures, named: ecbplus F1 (P) | semeval en-en, cross-lingual, other."""
    return (f"ecbplus F1 {e[2]:.3f} (P {e[0]:.3f}) | semeval en-en {sv['en-en'][2]:.3f}, "
            f"cross-lingual {sv['cross-lingual'][2]:.3f}, other {sv['other same-language'][2]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="synd_dev,ecbplus_dev,semeval22")
    parser.add_argument("--calibrate", action="store_true", help="Grid-search the story weights; leave-one-set-out figures.")
    args = parser.parse_args()
    if args.calibrate:
        calibrate()
        return
    for name in args.sets.split(","):
        {"synd_dev": synd_dev, "ecbplus_dev": ecbplus_dev, "semeval22": semeval22}[name]()
        print()


if __name__ == "__main__":
    main()
