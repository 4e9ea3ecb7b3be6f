"""Study: would a small learned same-story pair scorer beat the shipped word score?

For the two story sets (ecbplus_dev: events, not topics; semeval22: every language pair)
this computes, for every pair of articles, features dedup could compute incrementally
from what it stores (articles' words, entities with kind and entity id, clean text):

* `w`      word TF-IDF cosine of dedup's story vectors (tasks/dedup.py story_term_counts);
* `n_<kind>` TF-IDF cosine of the entity keys of one kind (person, place, organisation,
  other names, dates), keyed by tasks/dedup.py name_key (entity id, else canonical);
* `n_all`  the same over all named kinds; `num` cosine of the numbers in the text
  (magnitudes, tolls, amounts tell two earthquakes apart);
* `has_n`  both articles have names (an NER model for both languages); `xl` two languages;
  and the products `has_n*w`, `xl*w`, `xl*n_all` (a linear model needs them to weigh
  words differently where names are missing or the languages differ).

It fits logistic regressions (scikit-learn, seeded, C=1) on one set and clusters the other
with dedup's decision rule (incremental mean link over the story members, one batch, in
input order, dates off: the sets carry no reliable dates), the threshold on the logit
chosen on the fitting set too. Rows: leave-one-set-out (fit ecbplus -> score semeval and
the other way round), fitting on both, and 5 per-topic folds on ecbplus (fit on 4/5 of
the topics, cluster the held-out topics), and semeval's own split (fit on its training
pairs, score its testing pairs). The shipped word score (cosine >= the
threshold, chosen the same way) is the first row of each block.

ecbplus training pairs: every pair within a topic (the hard negatives: same kind of
event) plus a seeded 5% of the pairs across topics; semeval: the labelled pairs.

    .venv/bin/python bench/story_scorer.py
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sklearn.linear_model import LogisticRegression  # noqa: E402

from dedup import ecbplus_data, pair_group, prepared, semeval_data  # noqa: E402
from newsetl.tasks.dedup import CROSS_LINGUAL_BOOST, _damped, name_key, story_term_counts, tfidf_matrix  # noqa: E402
from newsetl.tasks.entity_kinds import NAMED_KINDS  # noqa: E402

KINDS = ("person", "place", "organisation", "other", "date")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MODELS = {
    "words (shipped)": ["w"],
    "words+names": ["w", "has_n", "has_n*w", "n_all", "xl", "xl*w", "xl*n_all"],
    "words+names by kind": ["w", "has_n", "has_n*w", *(f"n_{k}" for k in KINDS), "xl", "xl*w", "xl*n_all"],
    "words+names by kind+numbers": ["w", "has_n", "has_n*w", *(f"n_{k}" for k in KINDS), "num", "xl", "xl*w", "xl*n_all"],
}
WORD_THRESHOLDS = (0.1, 0.12, 0.14, 0.17, 0.2, 0.25)
LOGIT_THRESHOLDS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0)
SEED = 13


def cosines(docs: list[dict]) -> np.ndarray:
    """All-pairs cosine of TF-IDF vectors (IDF over these docs, smoothed as dedup's corpus_idf)."""
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log((1 + len(docs)) / (1 + c)) + 1 for t, c in df.items()}
    m = tfidf_matrix(docs, idf) if idf else None
    return (m @ m.T).toarray() if m is not None else np.zeros((len(docs), len(docs)))


def pair_features(articles: list) -> dict[str, np.ndarray]:
    """{feature: N x N matrix} over the prepared articles (see the module doc)."""
    f = {"w": cosines([story_term_counts(a.clean_text or "", a.language) for a in articles])}
    for kind in KINDS:
        f[f"n_{kind}"] = cosines([_damped(Counter(name_key(e.canonical, e.entity_id) for e in a.entities if e.kind == kind and e.canonical)) for a in articles])
    f["n_all"] = cosines([_damped(Counter(name_key(e.canonical, e.entity_id) for e in a.entities if e.kind in NAMED_KINDS and e.canonical)) for a in articles])
    f["num"] = cosines([_damped(Counter(NUMBER.findall(a.clean_text or ""))) for a in articles])
    has = np.array([any(e.kind in NAMED_KINDS for e in a.entities) for a in articles])
    langs = np.array([a.language or "" for a in articles], dtype=object)
    f["has_n"] = np.outer(has, has).astype(float)
    f["xl"] = (langs[:, None] != langs[None, :]).astype(float)
    f["has_n*w"], f["xl*w"], f["xl*n_all"] = f["has_n"] * f["w"], f["xl"] * f["w"], f["xl"] * f["n_all"]
    return f


def mean_link(scores: np.ndarray, threshold: float) -> np.ndarray:
    """Story labels by dedup's rule: in order, each article joins the story whose members it
    scores best on average, when that mean reaches `threshold`; else it starts one."""
    n = len(scores)
    labels, sums, counts, stories = np.zeros(n, dtype=int), np.zeros((n, n)), np.zeros(n), 0
    for i in range(n):
        if stories:
            means = sums[i, :stories] / counts[:stories]
            k = int(means.argmax())
            if means[k] >= threshold:
                labels[i] = k
                counts[k] += 1
                sums[:, k] += scores[:, i]
                continue
        labels[i], counts[stories], sums[:, stories] = stories, 1, scores[:, i]
        stories += 1
    return labels


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p, r = (tp / predicted if predicted else 1.0), (tp / gold if gold else 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


class EcbSet:
    """ecbplus_dev: features, gold events and topics."""

    def __init__(self) -> None:
        docs, gold, topic = ecbplus_data()
        self.f = pair_features(prepared(docs, entities=True))
        self.event = np.array([gold[d["id"]] for d in docs])
        self.topic = np.array([topic[d["id"]] for d in docs])
        n = len(docs)
        rng = np.random.default_rng(SEED)
        self.train_mask = np.triu((self.topic[:, None] == self.topic[None, :]) | (rng.random((n, n)) < 0.05), 1)
        self.y = self.event[:, None] == self.event[None, :]

    def counts(self, labels: np.ndarray, rows: np.ndarray | None = None) -> tuple[int, int, int]:
        """(true positive, predicted, gold) same-event pairs among `rows` (default all)."""
        rows = np.arange(len(labels)) if rows is None else rows
        iu = np.triu_indices(len(rows), 1)
        pred = (labels[rows][:, None] == labels[rows][None, :])[iu]
        gold = self.y[np.ix_(rows, rows)][iu]
        return int((pred & gold).sum()), int(pred.sum()), int(gold.sum())

    def score(self, labels: np.ndarray) -> tuple[float, float, float]:
        return prf(*self.counts(labels))


class SemSet:
    """semeval22: features and the labelled pairs, by pair group."""

    def __init__(self) -> None:
        docs, pairs = semeval_data()
        self.f = pair_features(prepared(docs, entities=True))
        row = {d["id"]: i for i, d in enumerate(docs)}
        self.a = np.array([row[p["a"]] for p in pairs])
        self.b = np.array([row[p["b"]] for p in pairs])
        self.y = np.array([bool(p["label"]) for p in pairs])
        self.group = np.array([pair_group(p["lang"]) for p in pairs])
        self.train = np.array([p["split"] == "training_set" for p in pairs])

    def score(self, labels: np.ndarray, pairs: np.ndarray | None = None) -> dict[str, tuple[float, float, float]]:
        """{pair group: (P, R, F1)} over the labelled pairs (or those selected by `pairs`)."""
        same = labels[self.a] == labels[self.b]
        keep = np.ones(len(self.y), dtype=bool) if pairs is None else pairs
        return {g: prf(int((same & self.y & k).sum()), int((same & k).sum()), int((self.y & k).sum()))
                for g in ("en-en", "cross-lingual", "other same-language") for k in [keep & (self.group == g)]}


def stack(f: dict[str, np.ndarray], keys: list[str]) -> np.ndarray:
    return np.stack([f[k] for k in keys], -1)


def fit(keys: list[str], parts: list[tuple[np.ndarray, np.ndarray]]) -> LogisticRegression | None:
    """A logistic regression on the (X, y) parts; None for the shipped word score (no fit)."""
    if keys == ["w"]:
        return None
    X = np.vstack([x for x, _ in parts])
    y = np.concatenate([y for _, y in parts])
    return LogisticRegression(C=1.0, max_iter=5000, random_state=SEED).fit(X, y)


def scores(model: LogisticRegression | None, f: dict[str, np.ndarray], keys: list[str]) -> np.ndarray:
    if model is None:  # the shipped score: word cosine, CROSS_LINGUAL_BOOST times between languages
        return f["w"] * np.where(f["xl"] > 0, CROSS_LINGUAL_BOOST, 1.0)
    x = stack(f, keys)
    return model.decision_function(x.reshape(-1, len(keys))).reshape(x.shape[:2])


def sem_f1(s: dict) -> float:
    """Mean F1 over the three pair groups: every language counts."""
    return sum(v[2] for v in s.values()) / len(s)


def main() -> None:
    ecb, sem = EcbSet(), SemSet()
    print("pair scorers, dedup's mean-link rule, one batch, dates off; threshold chosen on the fitting set")
    print(f"{'model':<30} {'fitted on':<10} {'thr':>5}   ecbplus P/R/F1        | semeval F1 en-en  cross  other")
    for name, keys in MODELS.items():
        thresholds = WORD_THRESHOLDS if keys == ["w"] else LOGIT_THRESHOLDS
        ecb_part = (stack(ecb.f, keys)[ecb.train_mask], ecb.y[ecb.train_mask])
        sem_part = (stack(sem.f, keys)[sem.a, sem.b], sem.y)
        for fitted_on, parts in (("ecbplus", [ecb_part]), ("semeval", [sem_part]), ("both", [ecb_part, sem_part])):
            model = fit(keys, parts)
            e_scores, s_scores = scores(model, ecb.f, keys), scores(model, sem.f, keys)
            grid = {t: (ecb.score(mean_link(e_scores, t)), sem.score(mean_link(s_scores, t))) for t in thresholds}
            pick = {"ecbplus": lambda t: grid[t][0][2], "semeval": lambda t: sem_f1(grid[t][1]),
                    "both": lambda t: grid[t][0][2] + sem_f1(grid[t][1])}[fitted_on]
            t = max(thresholds, key=pick)
            e, s = grid[t]
            print(f"{name:<30} {fitted_on:<10} {t:>5}   {e[0]:.3f}/{e[1]:.3f}/{e[2]:.3f}   | "
                  f"{s['en-en'][2]:>14.3f} {s['cross-lingual'][2]:>6.3f} {s['other same-language'][2]:>6.3f}", flush=True)
        # Per-topic folds on ecbplus: fit (and choose the threshold) on 4/5 of the topics,
        # cluster the held-out topics alone; pairs summed over the folds.
        topics = sorted(set(ecb.topic), key=int)
        totals = np.zeros(3, dtype=int)
        for k in range(5):
            held = np.isin(ecb.topic, topics[k::5])
            train = ecb.train_mask & ~held[:, None] & ~held[None, :]
            model = fit(keys, [(stack(ecb.f, keys)[train], ecb.y[train])])
            s_all = scores(model, ecb.f, keys)
            rows_in, rows_out = np.flatnonzero(~held), np.flatnonzero(held)
            t = max(thresholds, key=lambda t: prf(*_sub_counts(ecb, s_all, rows_in, t))[2])
            totals += _sub_counts(ecb, s_all, rows_out, t)
        p, r, f1 = prf(*totals)
        print(f"{name:<30} {'ecb folds':<10} {'':>5}   {p:.3f}/{r:.3f}/{f1:.3f}   | (5 per-topic folds)", flush=True)
        # semeval's own split: fit and choose the threshold on the training pairs, score the testing pairs.
        model = fit(keys, [(stack(sem.f, keys)[sem.a[sem.train], sem.b[sem.train]], sem.y[sem.train])])
        s_scores = scores(model, sem.f, keys)
        labels = {t: mean_link(s_scores, t) for t in thresholds}
        t = max(thresholds, key=lambda t: sem_f1(sem.score(labels[t], sem.train)))
        s = sem.score(labels[t], ~sem.train)
        print(f"{name:<30} {'sem train':<10} {t:>5}   (testing split)       | "
              f"{s['en-en'][2]:>14.3f} {s['cross-lingual'][2]:>6.3f} {s['other same-language'][2]:>6.3f}", flush=True)


def _sub_counts(ecb: EcbSet, s_all: np.ndarray, rows: np.ndarray, t: float) -> np.ndarray:
    """Pair counts of clustering only `rows` at threshold `t`."""
    labels = np.full(len(ecb.event), -1)
    labels[rows] = mean_link(s_all[np.ix_(rows, rows)], t)
    return np.array(ecb.counts(labels, rows))


if __name__ == "__main__":
    main()
