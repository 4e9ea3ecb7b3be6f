"""Study: does an event-conflict signal tell two events of one kind apart (issue 13)?

Two reports of one event name the same people, places and figures; two events of one kind
(two earthquakes, two rehab check-ins) share the topic's words but, one expects, not these.
A pair "conflicts" on a kind when both articles have keys of that kind and neither one's
top-k keys (by mentions x IDF) occur in the other's: people and places by entity id
(tasks/entity_ids.py: "person:…", "geonames:…"/"place:…"), numbers as digit runs of the clean
text (two digits or more, not all zeros: "000" of 1,000 and single digits are in every text).
Each conflict multiplies the pair's story score by a factor before dedup's mean-link rule.

1. Rates: for ecbplus_dev's within-topic pairs (same event / other event of the topic) and
   semeval22's labelled pairs (same story / not), the share with a conflict of each kind.
2. Grid: factor x top-k x STORY_THRESHOLD, one in-memory batch per set, dates off (as
   `bench/dedup.py --calibrate`), and the leave-one-set-out picks.

Nothing here changes dedup: the conflict matrix is applied by wrapping
`dedup.story_similarities` for the length of a run.

    .venv/bin/python bench/story_conflicts.py [--rates-only]
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from dedup import (  # noqa: E402
    ecbplus_data, ecbplus_scores, fit_figures, grid_figures, in_memory_stories, pair_group, prepared, semeval_data, semeval_f1,
    semeval_scores,
)
from newsetl.tasks import dedup  # noqa: E402

KINDS = {"person": ("person:",), "place": ("geonames:", "place:")}
NUMBER = re.compile(r"\d{2,}")


def numbers(text: str) -> Counter:
    """Digit runs of two digits or more, not all zeros."""
    return Counter(n for n in NUMBER.findall(text or "") if n.strip("0"))


def kind_keys(names: Counter, prefixes: tuple[str, ...]) -> Counter:
    """The entity keys of one kind (their id names the kind)."""
    return Counter({k: v for k, v in names.items() if k[len(dedup.NAME_PREFIX):].startswith(prefixes)})


def idf_of(docs: list[Counter]) -> dict[str, float]:
    df = Counter(k for d in docs for k in d)
    return {k: math.log((1 + len(docs)) / (1 + v)) + 1 for k, v in df.items()}


def disjoint_tops(docs: list[Counter], k: int, idf: dict[str, float]) -> np.ndarray:
    """All rows x all rows: True where both have keys and neither one's top-k (mentions x IDF) occur in the other."""
    vocab: dict[str, int] = {}
    full, top = ([], []), ([], [])
    for r, doc in enumerate(docs):
        for key in doc:
            full[0].append(r)
            full[1].append(vocab.setdefault(key, len(vocab)))
        for key in sorted(doc, key=lambda x: (-doc[x] * idf.get(x, 1.0), x))[:k]:
            top[0].append(r)
            top[1].append(vocab[key])
    shape = (len(docs), max(len(vocab), 1))
    f = sparse.csr_matrix((np.ones(len(full[0])), full), shape=shape)
    t = sparse.csr_matrix((np.ones(len(top[0])), top), shape=shape)
    shared = (t @ f.T).toarray() + (f @ t.T).toarray()
    has = np.array([bool(d) for d in docs])
    return np.outer(has, has) & (shared == 0)


def conflict_matrices(articles: list, sigs: dict, k_names: int, k_numbers: int) -> dict[str, np.ndarray]:
    """{kind: all-pairs conflict matrix} over the articles (rows in the articles' order)."""
    names = [sigs[a.doc_id].names if a.doc_id in sigs else Counter() for a in articles]
    out = {}
    for kind, prefixes in KINDS.items():
        docs = [kind_keys(n, prefixes) for n in names]
        out[kind] = disjoint_tops(docs, k_names, idf_of(docs))
    nums = [numbers(a.clean_text) if a.doc_id in sigs else Counter() for a in articles]
    out["number"] = disjoint_tops(nums, k_numbers, idf_of(nums))
    return out


def run_with_conflicts(articles: list, sigs: dict, conflicts: np.ndarray | None, factor: float, threshold: float) -> dict[str, str]:
    """{doc_id: story_id} of one in-memory batch, each pair's score x factor ** its conflicts."""
    order = sorted(range(len(articles)), key=lambda i: (dedup._seen_at(articles[i]), -len(articles[i].clean_text or ""), articles[i].doc_id))
    rows = np.array([i for i in order if articles[i].doc_id in sigs])  # dedup_batch's row order (empty pool)
    original = dedup.story_similarities

    def wrapped(*args, **kwargs):
        sims = original(*args, **kwargs)
        if sims is not None and conflicts is not None and factor != 1:
            sims = sims * factor ** conflicts[np.ix_(rows, rows)]
        return sims

    dedup.story_similarities = wrapped
    try:
        return in_memory_stories(articles, sigs, dedup.NAME_WEIGHT, threshold)
    finally:
        dedup.story_similarities = original


def rates(e, s) -> None:
    (e_articles, e_sigs, e_docs, e_gold, e_topic), (s_articles, s_sigs, s_docs, s_pairs) = e, s
    for k in (1, 2, 3):
        print(f"conflict rates, top {k}: share of pairs with a conflict of the kind")
        ec = conflict_matrices(e_articles, e_sigs, k, k)
        sc = conflict_matrices(s_articles, s_sigs, k, k)
        ids = [d["id"] for d in e_docs]
        pairs = [(i, j, e_gold[ids[i]] == e_gold[ids[j]]) for i, j in itertools.combinations(range(len(ids)), 2) if e_topic[ids[i]] == e_topic[ids[j]]]
        row = {d["id"]: i for i, d in enumerate(s_docs)}
        for kind in ec:
            same = np.mean([ec[kind][i, j] for i, j, y in pairs if y])
            other = np.mean([ec[kind][i, j] for i, j, y in pairs if not y])
            line = f"  {kind:<7} ecbplus same event {same:.2f}, other event {other:.2f} | semeval same/not:"
            for g in ("en-en", "cross-lingual", "other same-language"):
                ps = [p for p in s_pairs if pair_group(p["lang"]) == g]
                a = np.mean([sc[kind][row[p["a"]], row[p["b"]]] for p in ps if p["label"]])
                b = np.mean([sc[kind][row[p["a"]], row[p["b"]]] for p in ps if not p["label"]])
                line += f" {g} {a:.2f}/{b:.2f}"
            print(line)


def grid(e, s) -> None:
    (e_articles, e_sigs, e_docs, e_gold, _), (s_articles, s_sigs, s_docs, s_pairs) = e, s
    e_id = {a.doc_id: d["id"] for a, d in zip(e_articles, e_docs)}
    s_id = {a.doc_id: d["id"] for a, d in zip(s_articles, s_docs)}
    results = {}
    print("grid (in-memory, one batch, dates off): ecbplus P/R/F1 | semeval F1 en-en, cross-lingual, other same-language")
    for (kn, kx, kinds), factor, t in itertools.product(((1, 1, "pp+num"), (2, 2, "pp+num"), (1, 1, "pp")), (1.0, 0.7, 0.5), (0.12, 0.14)):
        if factor == 1 and (kn, kinds) != (1, "pp+num"):
            continue
        ec = conflict_matrices(e_articles, e_sigs, kn, kx)
        sc = conflict_matrices(s_articles, s_sigs, kn, kx)
        use = ("person", "place") + (("number",) if kinds == "pp+num" else ())
        es = run_with_conflicts(e_articles, e_sigs, sum(ec[k].astype(int) for k in use), factor, t)
        ss = run_with_conflicts(s_articles, s_sigs, sum(sc[k].astype(int) for k in use), factor, t)
        ev = ecbplus_scores({e_id[d]: e_id.get(x, x) for d, x in es.items()}, e_gold)
        sv = semeval_scores({s_id[d]: s_id.get(x, x) for d, x in ss.items()}, s_pairs)
        key = (kinds, kn, factor, t)
        results[key] = (ev, sv)
        print(f"  {kinds:<6} k={kn} factor={factor} t={t}: {grid_figures(ev, sv)}", flush=True)

    print("leave-one-set-out:")
    for label, pick in (("fit on ecbplus", lambda k: results[k][0][2]), ("fit on semeval", lambda k: semeval_f1(results[k][1]))):
        key = max(results, key=lambda k: (pick(k), k[2]))  # ties: the milder factor
        print(f"  {label}: {key}: {fit_figures(*results[key])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates-only", action="store_true")
    args = parser.parse_args()
    e_docs, e_gold, e_topic = ecbplus_data()
    s_docs, s_pairs = semeval_data()
    e_articles = [replace(a, published_at=None) for a in prepared(e_docs, entities=True)]
    s_articles = [replace(a, published_at=None) for a in prepared(s_docs, entities=True)]
    e = (e_articles, dedup.signatures(e_articles), e_docs, e_gold, e_topic)
    s = (s_articles, dedup.signatures(s_articles), s_docs, s_pairs)
    rates(e, s)
    if not args.rates_only:
        grid(e, s)


if __name__ == "__main__":
    main()
