"""Term-count documents as flat arrays (tasks/term_vectors.py), as the story pool reads them from DuckDB."""

import math

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from newsetl.tasks.term_vectors import TermRows, tfidf_rows


def test_tfidf_rows_are_unit_length_and_weigh_each_count_by_its_idf():
    rows = TermRows.from_counts([{"quake": 2, "lorca": 1}, {"quake": 1}, {}])
    matrix = tfidf_rows(rows, {"quake": 1.0, "lorca": 3.0}).toarray()
    # columns in order of first appearance: quake, lorca
    assert matrix[0] == pytest.approx([2 / math.sqrt(13), 3 / math.sqrt(13)])
    assert matrix[1] == pytest.approx([1.0, 0.0])
    assert matrix[2] == pytest.approx([0.0, 0.0])  # an empty document stays a zero row


def test_a_term_without_idf_gets_the_largest_one():
    matrix = tfidf_rows(TermRows.from_counts([{"rare": 1, "quake": 1}]), {"quake": 1.0, "norcia": 4.0}).toarray()
    assert matrix[0] == pytest.approx([4 / math.sqrt(17), 1 / math.sqrt(17)])


def test_a_map_column_from_duckdb_keeps_its_rows_and_marks_null_ones_missing():
    con = duckdb.connect()
    table = con.sql(
        "SELECT * FROM (VALUES (1, MAP {'quake': 2, 'lorca': 1}), (2, NULL), (3, MAP {'norcia': 5})) AS t(k, counts) ORDER BY k"
    ).to_arrow_table()
    rows = TermRows.from_map_column(table.column("counts"))
    assert rows.lengths.tolist() == [2, 0, 1] and rows.missing == (1,)
    assert rows.terms.to_pylist() == ["quake", "lorca", "norcia"] and rows.counts.tolist() == [2.0, 1.0, 5.0]
    # a slice of a map column (an Arrow view into the middle of its entries)
    tail = TermRows.from_map_column(table.column("counts").combine_chunks().slice(2, 1))
    assert tail.terms.to_pylist() == ["norcia"] and tail.lengths.tolist() == [1] and tail.missing == ()


def test_filled_puts_counts_in_place_of_the_missing_rows_only():
    rows = TermRows.from_map_column(pa.array([[("a", 1)], None, [("b", 2), ("c", 3)], None], pa.map_(pa.string(), pa.int32())))
    filled = rows.filled({1: {"x": 7}, 3: {"y": 8, "z": 9}})
    assert filled.missing == ()
    assert filled.lengths.tolist() == [1, 1, 2, 2]
    assert filled.terms.to_pylist() == ["a", "x", "b", "c", "y", "z"]
    assert filled.counts.tolist() == [1.0, 7.0, 2.0, 3.0, 8.0, 9.0]


def test_concat_renumbers_missing_rows():
    first = TermRows(pa.array(["a"]), np.array([1.0]), np.array([1, 0]), missing=(1,))
    second = TermRows(pa.array(["b"]), np.array([2.0]), np.array([0, 1]), missing=(0,))
    both = TermRows.concat([first, second])
    assert both.missing == (1, 2) and both.lengths.tolist() == [1, 0, 0, 1] and both.terms.to_pylist() == ["a", "b"]
