"""Study: where do the story ids lose on semeval22's labelled pairs — false merges or misses,
and at which pair score?

Runs dedup as bench/dedup.py runs it (batches of 200 against a DuckDB file, the real stages
before), then, for every labelled pair, looks at its own story score (dedup's
`story_similarities` over all documents in one batch: the score the pair would have had if
both met in one pool) and tells, per pair group (en-en, cross-lingual, other same-language)
and score band:

* merged & same story (true positive), merged & different (false merge),
* apart & same story (miss), apart & different (true negative).

A miss at a high pair score is a pool or linkage loss (the pair never met, or the story's
other members pulled the mean down); a false merge at a low pair score came through the
story's other members (transitivity).

    .venv/bin/python bench/story_losses.py
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from dedup import pair_group, prepared, run_our_dedup, semeval_data  # noqa: E402
from newsetl.tasks import dedup  # noqa: E402

BANDS = (0.0, 0.05, 0.1, 0.14, 0.2, 0.3, 0.5, 1.01)


def pair_story_scores(articles: list) -> np.ndarray:
    """All-pairs story score of the articles, as one in-memory batch would compute it."""
    sigs = dedup.signatures(articles)
    docs = [sigs[a.doc_id].terms if a.doc_id in sigs else Counter() for a in articles]
    idf = dedup.corpus_idf(Counter(t for d in docs for t in d), {}, len(docs))
    matrix = dedup.tfidf_matrix(docs, idf)
    names = [sigs[a.doc_id].names if a.doc_id in sigs else Counter() for a in articles]
    name_idf = dedup.corpus_idf(Counter(k for d in names for k in d), {}, len(docs))
    name_matrix = dedup.tfidf_matrix([dedup._damped(d) for d in names], name_idf)
    has_names = np.array([bool(d) for d in names])
    languages = np.array([a.language or "" for a in articles], dtype=object)
    return dedup.story_similarities(matrix, name_matrix, has_names, list(range(len(articles))), languages)


def main() -> None:
    docs, pairs = semeval_data()
    articles = prepared(docs, entities=True)
    _, stories, _ = run_our_dedup(docs, articles)
    scores = pair_story_scores(articles)
    row = {d["id"]: i for i, d in enumerate(docs)}
    table: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for p in pairs:
        s = scores[row[p["a"]], row[p["b"]]]
        band = int(np.searchsorted(BANDS, s, side="right")) - 1
        merged = stories[p["a"]] == stories[p["b"]]
        outcome = ("TP" if p["label"] else "false merge") if merged else ("miss" if p["label"] else "TN")
        table[pair_group(p["lang"])][band][outcome] += 1
    print(f"story score band       {'TP':>4} {'false merge':>11} {'miss':>5} {'TN':>5}   (threshold {dedup.STORY_THRESHOLD})")
    for group in ("en-en", "cross-lingual", "other same-language"):
        print(group)
        total = Counter()
        for band in range(len(BANDS) - 1):
            c = table[group][band]
            total += c
            print(f"  [{BANDS[band]:.2f}, {min(BANDS[band + 1], 1.0):.2f})   {c['TP']:>4} {c['false merge']:>11} {c['miss']:>5} {c['TN']:>5}")
        print(f"  all            {total['TP']:>4} {total['false merge']:>11} {total['miss']:>5} {total['TN']:>5}")


if __name__ == "__main__":
    main()
