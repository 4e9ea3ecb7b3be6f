"""Term-count documents as flat arrays, and their L2-normalised TF-IDF matrix.

Story similarity compares a batch with a pool of stored articles: at bench/pipeline_growth.py's
10k and 100k archives ~1,800 of them per 200-article batch, ~215,000 (article, term) counts,
read from DuckDB's `articles.term_counts` MAP column as Arrow. Turning those into Python
dicts and back into arrays for the matrix took 0.12-0.21 s a batch at 100k, this 0.03 s:
the pool's terms stay Arrow strings, and Arrow gives each its column (`dictionary_encode`
numbers distinct terms in order of first appearance, as the dict-based build did, so the
matrix is bit-identical).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse


@dataclass(frozen=True)
class TermRows:
    """Documents of term counts, flattened: document k holds the `lengths[k]` entries of
    `terms` and `counts` that follow those of documents 0..k-1. `missing` lists the documents
    that had no counts at all where they came from (a NULL MAP): they are empty here."""

    terms: pa.Array  # string
    counts: np.ndarray  # float64
    lengths: np.ndarray  # int64, one per document
    missing: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def from_counts(cls, docs: Sequence[Mapping[str, float]]) -> TermRows:
        """Flatten term-count mappings (a Counter per document), each in its own key order."""
        terms = [term for doc in docs for term in doc]
        return cls(
            pa.array(terms, pa.string()),
            np.fromiter((count for doc in docs for count in doc.values()), np.float64, len(terms)),
            np.fromiter((len(doc) for doc in docs), np.int64, len(docs)),
        )

    @classmethod
    def from_map_column(cls, column: pa.Array | pa.ChunkedArray) -> TermRows:
        """Read an Arrow MAP<string, number> column, one document per row, NULL rows missing."""
        maps = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        # The offsets index the whole child arrays (`keys`, `items`), whatever the slicing.
        offsets = maps.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
        lengths = np.diff(offsets)
        null = maps.is_null().to_numpy(zero_copy_only=False)
        if (lengths[null] > 0).any():  # Arrow allows a NULL row backed by entries: not its counts
            lengths[null] = 0
            take = pa.array(np.concatenate([np.arange(offsets[k], offsets[k + 1]) for k in np.flatnonzero(~null)] or [np.zeros(0, np.int64)]))
            terms, counts = maps.keys.take(take), maps.items.take(take)
        else:
            start, stop = int(offsets[0]), int(offsets[-1])
            terms, counts = maps.keys.slice(start, stop - start), maps.items.slice(start, stop - start)
        return cls(
            terms.cast(pa.string()),
            counts.to_numpy(zero_copy_only=False).astype(np.float64),
            lengths,
            tuple(np.flatnonzero(null).tolist()),
        )

    def filled(self, docs: Mapping[int, Mapping[str, float]]) -> TermRows:
        """These rows with documents `docs` (index -> counts) in place of theirs (the
        missing ones, counted some other way); no longer missing."""
        if not docs:
            return self
        starts = np.concatenate([[0], np.cumsum(self.lengths)])
        parts, begin = [], 0
        for index in sorted(docs):
            parts.append(self._slice(starts, begin, index))
            parts.append(TermRows.from_counts([docs[index]]))
            begin = index + 1
        parts.append(self._slice(starts, begin, len(self)))
        return TermRows.concat(parts)

    def _slice(self, starts: np.ndarray, first: int, stop: int) -> TermRows:
        lo, hi = int(starts[first]), int(starts[stop])
        return TermRows(self.terms.slice(lo, hi - lo), self.counts[lo:hi], self.lengths[first:stop])

    @staticmethod
    def concat(parts: Sequence[TermRows]) -> TermRows:
        """The documents of `parts` (one or more), one after another (their `missing` renumbered)."""
        missing, offset = [], 0
        for part in parts:
            missing += [offset + k for k in part.missing]
            offset += len(part)
        return TermRows(
            pa.concat_arrays([part.terms for part in parts]),
            np.concatenate([part.counts for part in parts]),
            np.concatenate([part.lengths for part in parts]),
            tuple(missing),
        )


def tfidf_rows(rows: TermRows, idf: Mapping[str, float]) -> sparse.csr_matrix:
    """Return L2-normalised TF-IDF rows for the documents of `rows` (terms not in `idf` get
    its largest value); columns number the distinct terms in order of first appearance."""
    top = max(idf.values(), default=1.0)
    encoded = pc.dictionary_encode(rows.terms)
    cols = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocabulary = encoded.dictionary
    known = pc.index_in(vocabulary, value_set=pa.array(list(idf), pa.string()))
    values = np.fromiter(idf.values(), np.float64, len(idf))
    weights = np.full(len(vocabulary), top, dtype=np.float64)
    found = known.is_valid().to_numpy(zero_copy_only=False)
    weights[found] = values[known.drop_null().to_numpy(zero_copy_only=False).astype(np.int64)]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(rows.lengths, out=indptr[1:])
    matrix = sparse.csr_matrix((rows.counts * weights[cols], cols, indptr), shape=(len(rows), max(len(vocabulary), 1)))
    matrix.sum_duplicates()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix
