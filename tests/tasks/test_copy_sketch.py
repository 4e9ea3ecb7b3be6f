"""Copy sketches: a stored candidate whose sketch rules out a copy is not read, and no copy
is ever missed for it."""

import random
from dataclasses import replace
from datetime import timedelta

from newsetl.tasks import store
from newsetl.tasks.copy_sketch import may_be_copy, sketch
from newsetl.tasks.dedup import (
    COPY_CONTAINMENT, COPY_JACCARD, MIN_SHINGLES_FOR_CONTAINMENT, copy_score, dedup_against_store, minhash, shingles,
)
from tests.tasks.test_dedup import UNRELATED, seeds, syndicated_copy  # noqa: F401  (seeds: fixture)


def _text(rng: random.Random, n: int) -> list[str]:
    return [f"w{rng.randrange(5000)}" for _ in range(n)]


def _may_be_copy(a: set[str], b: set[str]) -> bool:
    return may_be_copy(sketch(minhash(a)), len(a), sketch(minhash(b)), len(b), COPY_JACCARD, COPY_CONTAINMENT, MIN_SHINGLES_FOR_CONTAINMENT)


def test_the_sketch_never_rules_out_a_copy_and_rules_out_unrelated_texts():
    rng = random.Random(7)
    copies = unrelated = ruled_out = 0
    for _ in range(300):
        words = _text(rng, rng.randrange(60, 600))
        kind = rng.choice(["edited", "truncated", "lead", "other"])
        if kind == "edited":  # a few words changed: Jaccard just above or below the copy threshold
            other = [w if rng.random() > rng.uniform(0.02, 0.09) else f"x{rng.randrange(10**6)}" for w in words]
        elif kind == "truncated":
            other = words[: int(len(words) * rng.uniform(0.3, 0.9))]
        elif kind == "lead":
            other = words[: rng.randrange(15, 40)]
        else:
            other = _text(rng, rng.randrange(60, 600))
        a, b = shingles(" ".join(words)), shingles(" ".join(other))
        if copy_score(a, b):
            copies += 1
            assert _may_be_copy(a, b), kind
        else:
            unrelated += 1
            ruled_out += not _may_be_copy(a, b)
    assert copies > 100 and unrelated > 60
    assert ruled_out >= 60  # the unrelated texts, at least: no read for them


def test_a_candidate_sharing_only_the_lead_is_not_read_and_a_stored_copy_still_is(tmp_path, monkeypatch, seeds):  # noqa: F811
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    original = seeds[4]
    result = dedup_against_store([original], str(db))
    store.write_batch(db, "run-1", result.articles, result.decisions, result.band_rows, story_term_rows=result.story_term_rows,
                      doc_terms=result.doc_terms, term_counts=result.term_counts, sketches=result.sketches)
    # A different report of about the same length that opens with the same wire sentence: its
    # lead bands meet the stored article's, the rest of it does not.
    headline, first, *_ = original.clean_text.split("\n\n")
    rest = " ".join(_text(random.Random(3), len(original.clean_text.split())))
    same_lead = replace(original, doc_id="same-lead", source_uri="same-lead", fetched_at=original.fetched_at + timedelta(hours=2),
                        clean_text=f"{headline}\n\n{' '.join(first.split()[:25])} {rest}")
    copy = replace(original, doc_id="copy", source_uri="copy", fetched_at=original.fetched_at + timedelta(hours=3),
                   clean_text=syndicated_copy(original.clean_text))
    found = []
    real = store.dedup_neighbours
    monkeypatch.setattr(store, "dedup_neighbours", lambda *a, **k: found.append(real(*a, **k)) or found[-1])

    assert [a.dup_group for a in dedup_against_store([same_lead], str(db)).articles] == ["same-lead"]
    assert [a.dup_group for a in dedup_against_store([copy], str(db)).articles] == [original.doc_id]
    # The stored article was a candidate both times (a shared band); only the copy read its text.
    assert [original.doc_id in n.copy_candidates for n in found] == [True, True]
    assert [n.copy_candidates[original.doc_id].clean_text is not None for n in found] == [False, True]
