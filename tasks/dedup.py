"""Dedup at two levels: copies (`dup_group`) and stories (`story_id`).

Order of decisions for each article of a batch, against everything stored before and the
earlier articles of the same batch:

1. exact copy: same hash of the normalised clean text;
2. near copy: MinHash over word 5-gram shingles of the whole text and of the lead, LSH
   band keys as candidate keys (stored in DuckDB, so candidates are found with a join,
   not by loading history), verified by shingle Jaccard or containment (a truncated or
   lead-only copy is contained in its original);
3. story: TF-IDF cosine, IDF from the whole stored corpus, against the stored articles
   of the time window that share top terms with the batch, and the batch itself; an
   article joins the story whose members it matches best on average above
   STORY_THRESHOLD, otherwise it starts a story.

Canonical article of a new group: the earliest (published, else fetched), then the
longest, then the smallest doc_id. An article joining an existing group keeps that
group's canonical. Pages flagged as not articles take no part.

`dedup_batch` is pure: the candidates from storage come in as `StoredNeighbours`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import numpy as np
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from rensa import RMinHash
from scipy import sparse

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks import store
from newsetl.tasks.language import stop_words, words
from newsetl.tasks.records import Article, Decision, DedupResult, StoredNeighbours

VERSION = "dedup.v1"
SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SEED = 1
# 32 bands of 4 rows: a pair becomes a candidate with probability 1-(1-J^4)^32, which
# is 0.5 at Jaccard ~0.42 and 0.99 at ~0.6 (synd_dev baseline: threshold 0.5).
LSH_BANDS = 32
LSH_ROWS = NUM_PERM // LSH_BANDS
# Candidates also come from signatures of each body's first 20 and first 60 words,
# numbered after the whole-text bands (synd_dev: lead-only briefs and truncated copies).
LEAD_WORDS = (20, 60)
HEADLINE_MAX_WORDS = 25
# A candidate is a copy when its shingle Jaccard reaches COPY_JACCARD, or when the
# smaller text is at least COPY_CONTAINMENT contained in the larger (truncated copies).
COPY_JACCARD = 0.5
COPY_CONTAINMENT = 0.7
MIN_SHINGLES_FOR_CONTAINMENT = 10
# Mean TF-IDF cosine (corpus IDF) to a story's members needed to join it. semeval22 en-en
# labelled-pair F1 (bench/dedup.py), before headline weighting: 0.18 -> 0.807, 0.15 ->
# 0.814, 0.13 -> 0.826, 0.12 -> 0.843 (P 0.818, R 0.868), 0.11 -> 0.832, 0.10 -> 0.830. Tried and worse at every
# threshold: max or top-k member similarity instead of the mean, a lead-weighted bag,
# entity overlap, a general-language frequency prior for the IDF. On synd_dev (no dates, so one window) 0.12 makes 304
# stories of 1,553 articles, the largest 44. The seeds' rewrites score 0.23-0.40.
STORY_THRESHOLD = 0.12
# Extra counts of each headline term in the story vector (story_term_counts). semeval22
# en-en story F1 at threshold 0.12: 0 -> 0.843, 1 -> 0.845, 2 -> 0.851 (P 0.826, R 0.877),
# 3 -> 0.841; with 2, threshold 0.11 -> 0.833, 0.13 -> 0.840. Pairwise (no clustering) the
# same boost lifts the best TF-IDF F1 from 0.864 to 0.872.
HEADLINE_TERM_WEIGHT = 2
# Each stored article is indexed by its STORY_INDEX_TERMS highest TF-IDF terms
# (story_terms); a new batch compares with the stored articles in the time window that
# share at least STORY_MIN_SHARED_TERMS of a batch article's top terms: the
# STORY_POOL_PER_ARTICLE sharing most, per batch article (semeval22 story F1 at threshold
# 0.15: 10 -> 0.814, 20 or 40 -> 0.818; bench/dedup_growth.py: cost per new article 1.28x at 4x the database
# with 10, 1.61x with 20).
STORY_INDEX_TERMS = 20
STORY_MIN_SHARED_TERMS = 2
STORY_POOL_PER_ARTICLE = 10


@dataclass(frozen=True)
class Signature:
    """What dedup computes once per article: exact hash, shingles, LSH band keys and the
    counts of its story terms (words less stop words)."""

    text_hash: str
    shingles: frozenset[str]
    band_keys: tuple[tuple[int, int], ...]
    terms: Counter


def normalise_text(text: str) -> str:
    """Return text folded for exact-copy comparison: NFKC, casefold, words only, single spaces."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


def text_hash(text: str) -> str:
    """Return the hash of the normalised text (equal for copies differing in case, quotes, spacing)."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def comparable_tokens(text: str) -> list[str]:
    """Return the normalised words of a text, without the wire dateline that opens a
    paragraph ("FRANKFURT (AP) — "): republishers add, change and drop it."""
    return normalise_text("\n".join(ph.DATELINE_PREFIX.sub("", line) for line in text.split("\n"))).split()


def _shingle_set(tokens: list[str]) -> set[str]:
    if len(tokens) < SHINGLE_WORDS:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def shingles(text: str) -> set[str]:
    """Return the set of word SHINGLE_WORDS-grams of a text's `comparable_tokens`."""
    return _shingle_set(comparable_tokens(text))


def band_keys(shingle_set: set[str], first_band: int = 0) -> list[tuple[int, int]]:
    """Return the (band, key) LSH keys of a shingle set's MinHash signature; keys fit in BIGINT.

    Bands are numbered from `first_band`, so that several signatures of one article
    (whole text, lead) share the `minhash_bands` table without meeting each other.
    """
    if not shingle_set:
        return []
    mh = RMinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    mh.update(sorted(shingle_set))
    sig = mh.digest()
    keys = []
    for band in range(LSH_BANDS):
        chunk = ",".join(str(v) for v in sig[band * LSH_ROWS : (band + 1) * LSH_ROWS])
        keys.append((first_band + band, int.from_bytes(hashlib.blake2b(chunk.encode(), digest_size=8).digest(), "big", signed=True)))
    return keys


def lead_shingles(text: str, lead_words: int) -> set[str]:
    """Return the shingles of the first `lead_words` words of the body (a short first
    paragraph, the headline, skipped).

    A truncated or lead-only copy is mostly the original's lead, so their lead
    signatures meet in LSH even when whole-text Jaccard is far below the threshold.
    """
    paragraphs = text.split("\n\n")
    if len(paragraphs) > 1 and len(paragraphs[0].split()) <= HEADLINE_MAX_WORDS:
        text = "\n\n".join(paragraphs[1:])
    return _shingle_set(comparable_tokens(text)[:lead_words])


def takes_part(article: Article) -> bool:
    """True for articles dedup considers: content pages with a clean text."""
    return article.is_article and bool(article.clean_text)


def signatures(articles: list[Article]) -> dict[str, Signature]:
    """Return {doc_id: Signature} for the articles that take part in dedup."""
    out = {}
    for article in articles:
        if takes_part(article):
            shingle_set = shingles(article.clean_text)
            keys = band_keys(shingle_set)
            for n, lead_words in enumerate(LEAD_WORDS, start=1):
                keys += band_keys(lead_shingles(article.clean_text, lead_words), first_band=n * LSH_BANDS)
            out[article.doc_id] = Signature(
                text_hash(article.clean_text), frozenset(shingle_set), tuple(keys),
                story_term_counts(article.clean_text, article.language),
            )
    return out


def copy_score(a: set[str], b: set[str]) -> tuple[str, float] | None:
    """Return ("jaccard"|"containment", score) when two shingle sets are copies, else None."""
    if not a or not b:
        return None
    inter = len(a & b)
    jaccard = inter / len(a | b)
    if jaccard >= COPY_JACCARD:
        return "jaccard", round(jaccard, 4)
    if min(len(a), len(b)) >= MIN_SHINGLES_FOR_CONTAINMENT:
        containment = inter / min(len(a), len(b))
        if containment >= COPY_CONTAINMENT:
            return "containment", round(containment, 4)
    return None


def _seen_at(article: Article) -> datetime:
    return article.published_at or article.fetched_at or datetime.min.replace(tzinfo=timezone.utc)


def _story_tokens(text: str, language: str | None) -> list[str]:
    stops = stop_words(language or "")
    return [w for w in words(text) if w not in stops and len(w) > 1]


def story_term_counts(clean_text: str, language: str | None) -> Counter:
    """Return the story terms of an article (words less stop words) with their counts; the
    headline — the first paragraph of the clean text when it is headline-short — counts
    HEADLINE_TERM_WEIGHT more times: it names the event."""
    counts = Counter(_story_tokens(clean_text, language))
    first = clean_text.split("\n\n", 1)[0]
    if HEADLINE_TERM_WEIGHT and "\n\n" in clean_text and len(first.split()) <= HEADLINE_MAX_WORDS:
        for term in _story_tokens(first, language):
            counts[term] += HEADLINE_TERM_WEIGHT
    return counts


def dedup_batch(articles: list[Article], stored: StoredNeighbours, sigs: dict[str, Signature] | None = None) -> DedupResult:
    """Assign dup_group and story_id to a batch, given its stored neighbours; see the module doc.

    `sigs` are the batch's `signatures()`, when the caller already computed them to look
    up the neighbours.
    """
    sigs = sigs if sigs is not None else signatures(articles)
    order = sorted(
        range(len(articles)),
        key=lambda i: (_seen_at(articles[i]), -len(articles[i].clean_text or ""), articles[i].doc_id),
    )
    content = [i for i in order if articles[i].doc_id in sigs]
    shingle_sets = {i: set(sigs[articles[i].doc_id].shingles) for i in content}
    keys = {i: list(sigs[articles[i].doc_id].band_keys) for i in content}
    stored_shingles = {d: shingles(n.clean_text) for d, n in stored.copy_candidates.items()}

    # TF-IDF over the candidate stories and the batch, with IDF from the whole stored
    # corpus plus the batch (five articles alone have no usable IDF).
    pool = stored.story_pool
    docs = [story_term_counts(n.clean_text, n.language) for n in pool]
    docs += [sigs[articles[i].doc_id].terms for i in content]
    term_counts = Counter(term for doc in docs[len(pool) :] for term in doc)
    idf = corpus_idf(term_counts, stored.term_df, stored.corpus_docs + len(content))
    matrix = tfidf_matrix(docs, idf) if any(docs) else None
    row_of = {i: len(pool) + k for k, i in enumerate(content)}
    story_term_rows = [
        (articles[i].doc_id, term, weight)
        for i in content
        for term, weight in top_terms(docs[row_of[i]], idf)
    ]

    out = list(articles)
    decisions: list[Decision] = []
    band_rows: list[tuple[str, int, int]] = []
    seen_hashes = dict(stored.by_text_hash)
    batch_keys: dict[tuple[int, int], list[int]] = {}
    stories = StoryMembers()
    for row, n in enumerate(pool):
        stories.add(n.story_id, row)
    batch_rows = [row_of[i] for i in content]
    # Cosine of every batch article with every row, in one sparse product.
    sims = (matrix[batch_rows] @ matrix.T).toarray() if matrix is not None and batch_rows else None
    sims_row = {i: k for k, i in enumerate(content)}

    for i in order:
        article = out[i]
        if i not in shingle_sets:
            out[i] = replace(article, dup_group=article.doc_id, story_id=article.doc_id)
            continue
        h = sigs[article.doc_id].text_hash
        group, method, score = article.doc_id, None, None
        if h in seen_hashes:
            group, method, score = seen_hashes[h][1], "exact", 1.0
        else:
            best = _best_copy(i, keys[i], shingle_sets, out, stored, stored_shingles, batch_keys)
            if best:
                group, method, score = best
        seen_hashes.setdefault(h, (article.doc_id, group))
        for key in keys[i]:
            batch_keys.setdefault(key, []).append(i)
            band_rows.append((article.doc_id, key[0], key[1]))
        if method:
            decisions.append(Decision(article.doc_id, group, "copy", method, score))

        story, story_score = _assign_story(i, group, out, stored, sims[sims_row[i]] if sims is not None else None, stories)
        stories.add(story, row_of[i])
        if story != article.doc_id:
            decisions.append(Decision(article.doc_id, story, "story", "tfidf_cosine" if story_score < 1 else "copy", story_score))
        out[i] = replace(
            article, text_hash=h, dup_group=group, dup_method=method, dup_score=score,
            story_id=story, story_score=story_score, versions={**article.versions, "dedup": VERSION},
        )
    doc_terms = [(articles[i].doc_id, term) for i in content for term in sorted(docs[row_of[i]])]
    return DedupResult(out, decisions, band_rows, story_term_rows, doc_terms)


def corpus_idf(batch_counts: Counter, stored_df: dict[str, int], n_docs: int) -> dict[str, float]:
    """Smoothed IDF, ln((1 + N) / (1 + df)) + 1, with df and N over the stored corpus plus the batch."""
    terms = set(batch_counts) | set(stored_df)
    return {t: math.log((1 + n_docs) / (1 + stored_df.get(t, 0) + batch_counts.get(t, 0))) + 1 for t in terms}


def tfidf_matrix(docs: list[Counter], idf: dict[str, float]) -> sparse.csr_matrix:
    """Return L2-normalised TF-IDF rows for term-count documents (unknown terms get the max IDF)."""
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    top = max(idf.values(), default=1.0)
    for r, doc in enumerate(docs):
        for term, count in doc.items():
            rows.append(r)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            values.append(count * idf.get(term, top))
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(docs), max(len(vocabulary), 1)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def top_terms(doc: Counter, idf: dict[str, float], k: int = 0) -> list[tuple[str, float]]:
    """Return the `k` (default STORY_INDEX_TERMS) highest TF-IDF terms of a document: its story-index keys."""
    k = k or STORY_INDEX_TERMS
    scored = sorted(((count * idf.get(term, 1.0), term) for term, count in doc.items()), key=lambda x: (-x[0], x[1]))
    return [(term, round(score, 4)) for score, term in scored[:k]]


def story_query_terms(sigs: dict[str, Signature], stored_df: dict[str, int], corpus_docs: int) -> dict[str, list[str]]:
    """Return {doc_id: its top terms}: the keys used to find stored stories to compare with."""
    docs = {doc_id: sig.terms for doc_id, sig in sigs.items()}
    counts = Counter(term for doc in docs.values() for term in doc)
    idf = corpus_idf(counts, stored_df, corpus_docs + len(docs))
    return {doc_id: [term for term, _ in top_terms(doc, idf)] for doc_id, doc in docs.items()}


def batch_terms(sigs: dict[str, Signature]) -> list[str]:
    """Return every distinct story term of the batch (for looking up their stored document frequency)."""
    return sorted({t for sig in sigs.values() for t in sig.terms})


def _best_copy(i, my_keys, shingle_sets, out, stored, stored_shingles, batch_keys):
    """Return (group, method, score) of the best verified copy candidate, or None."""
    candidates: dict[str, tuple[set[str], str]] = {}
    for key in my_keys:
        for doc_id in stored.candidate_keys.get(key, ()):
            n = stored.copy_candidates.get(doc_id)
            if n is not None:
                candidates[doc_id] = (stored_shingles[doc_id], n.dup_group)
        for j in batch_keys.get(key, ()):
            candidates[out[j].doc_id] = (shingle_sets[j], out[j].dup_group)
    best = None
    for _doc_id, (other, group) in sorted(candidates.items()):  # sorted: ties go to the smallest id
        verdict = copy_score(shingle_sets[i], other)
        if verdict and (best is None or verdict[1] > best[2]):
            best = (group, verdict[0], verdict[1])
    return best


class StoryMembers:
    """Which matrix rows belong to which story, for mean similarities in one vector operation."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.rows: list[int] = []
        self.row_story: list[int] = []

    def add(self, story_id: str, row: int) -> None:
        if story_id not in self.index:
            self.index[story_id] = len(self.ids)
            self.ids.append(story_id)
        self.rows.append(row)
        self.row_story.append(self.index[story_id])

    def best(self, sims: np.ndarray) -> tuple[str | None, float]:
        """Return the story with the highest mean similarity (ties: smallest id) and that mean."""
        if not self.ids:
            return None, 0.0
        story_of = np.asarray(self.row_story)
        sums = np.bincount(story_of, weights=sims[np.asarray(self.rows)], minlength=len(self.ids))
        means = sums / np.bincount(story_of, minlength=len(self.ids))
        top = means.max()
        return min(self.ids[k] for k in np.flatnonzero(means == top)), float(top)


def _assign_story(i, group, out, stored, sims, stories: StoryMembers) -> tuple[str, float]:
    """Return (story_id, score): the copy group's story, the best-matching story, or a new one."""
    article = out[i]
    if group != article.doc_id:
        for other in out:
            if other.doc_id == group and other.story_id:
                return other.story_id, 1.0
        for n in list(stored.copy_candidates.values()) + stored.story_pool:
            if n.doc_id == group:
                return n.story_id, 1.0
    if sims is None:
        return article.doc_id, 0.0
    story, score = stories.best(sims)
    if story is None or score < STORY_THRESHOLD:
        return article.doc_id, 0.0
    return story, round(score, 4)


def dedup_against_store(articles: list[Article], db_path: str, window_days: int = 14, lock_timeout_s: float = 120.0) -> DedupResult:
    """Look up the batch's stored neighbours (read-only, briefly), then `dedup_batch`."""
    sigs = signatures(articles)
    seen = [_seen_at(a) for a in articles if a.doc_id in sigs]
    term_df, corpus_docs = store.term_stats(db_path, batch_terms(sigs), lock_timeout_s)
    neighbours = store.dedup_neighbours(
        db_path,
        doc_ids=[a.doc_id for a in articles],
        text_hashes=sorted({s.text_hash for s in sigs.values()}),
        band_keys=sorted({k for s in sigs.values() for k in s.band_keys}),
        seen_range=(min(seen), max(seen)) if seen else None,
        window_days=window_days,
        story_terms=story_query_terms(sigs, term_df, corpus_docs),
        per_article=STORY_POOL_PER_ARTICLE,
        min_shared_terms=STORY_MIN_SHARED_TERMS,
        timeout_s=lock_timeout_s,
    )
    return dedup_batch(articles, replace(neighbours, term_df=term_df, corpus_docs=corpus_docs), sigs)


@task(name="dedup", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[2, 10], timeout_seconds=900, retry_condition_fn=store.retry_unless_permanent)
def dedup_task(articles: list[Article], db_path: str, window_days: int, lock_timeout_s: float = 120.0) -> DedupResult:
    """Prefect task: `dedup_against_store` for one batch, with a log line of what it decided."""
    result = dedup_against_store(articles, db_path, window_days, lock_timeout_s)
    copies = sum(1 for d in result.decisions if d.level == "copy")
    joined = sum(1 for d in result.decisions if d.level == "story")
    get_run_logger().info(
        "dedup of %d articles: %d copies, %d joined a story", len(articles), copies, joined,
    )
    return result
