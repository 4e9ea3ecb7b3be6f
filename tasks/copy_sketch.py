"""Copy sketches: can a stored copy candidate be a copy, without reading its text?

An LSH band key shared with a batch article makes a stored article a copy candidate; the
verdict needs both shingle sets (tasks/dedup.py copy_score), so the candidate's clean_text
used to be read and re-shingled. Candidates are spread over the whole archive, and DuckDB
decompresses a whole compressed vector of clean_text to return one row: at 100k stored
articles 33 candidates cost ~0.2 s per batch, the main part of dedup's growth with the
archive (bench/pipeline_growth.py).

Each content article therefore keeps a sketch of its whole-text MinHash signature: the low
8 bits of each of its 128 values (b-bit minwise hashing, Li & König 2010), 128 bytes, plus
its shingle count. Two sketches agree on a position with probability P = J + (1 - J) / 256
for shingle Jaccard J, so an upper confidence bound on P bounds J, and with the set sizes
the containment. Only candidates whose bound reaches a copy threshold have their text read
and the exact verdict made; the others cannot be copies except with a probability below
~1e-6 per pair (the bound is Wilson's at SKETCH_Z), so the decisions are those of reading
every text. 128 positions bound J no lower than ~0.16 at that confidence, so what the sketch
rules out is a candidate of similar length (up to ~4 times longer or shorter) that shares
little with the article: the chance band matches of a large archive. A candidate much
longer or shorter (a lead-only brief and its original) is always read.
"""

from __future__ import annotations

import math

SKETCH_BITS = 8
# Standard deviations of the one-sided bound: z = 5 leaves a true copy below its bound
# with probability ~3e-7. Not fitted; a larger z only reads more texts.
SKETCH_Z = 5.0
_CHANCE = 1.0 / (1 << SKETCH_BITS)


def sketch(signature: list[int]) -> bytes:
    """Return the b-bit sketch of a MinHash signature (its values' low SKETCH_BITS bits)."""
    return bytes(value & 0xFF for value in signature)


def jaccard_upper_bound(a: bytes, b: bytes) -> float:
    """Return an upper confidence bound (Wilson, SKETCH_Z) on the shingle Jaccard of two
    articles, from their sketches."""
    k = min(len(a), len(b))
    if not k:
        return 1.0
    agree = sum(x == y for x, y in zip(a, b)) / k
    z2 = SKETCH_Z * SKETCH_Z
    centre = agree + z2 / (2 * k)
    spread = SKETCH_Z * math.sqrt(agree * (1 - agree) / k + z2 / (4 * k * k))
    p_high = min(1.0, (centre + spread) / (1 + z2 / k))
    return max(0.0, (p_high - _CHANCE) / (1 - _CHANCE))


def may_be_copy(a: bytes, n_a: int, b: bytes, n_b: int, jaccard: float, containment: float, min_shingles: int) -> bool:
    """True unless the sketches (and shingle counts) of two articles rule out that they are
    copies: shingle Jaccard >= `jaccard`, or, when the smaller set has `min_shingles` or
    more, containment of the smaller in the larger >= `containment` (tasks/dedup.py copy_score)."""
    if not n_a or not n_b:
        return False
    j = jaccard_upper_bound(a, b)
    if j >= jaccard:
        return True
    smaller = min(n_a, n_b)
    # |A & B| = J (|A| + |B|) / (1 + J), increasing in J: the bound on J bounds it.
    return smaller >= min_shingles and j * (n_a + n_b) / (1 + j) / smaller >= containment
