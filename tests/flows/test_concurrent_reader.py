"""An analyst queries the database from another process while a run writes it."""

import json
import subprocess
import sys
import textwrap

import duckdb

from newsetl.flows.pipeline import pipeline

READER = textwrap.dedent("""
    import json, os, sys, time
    import duckdb
    db, stop, out = sys.argv[1:4]
    reads, waits, torn = 0, 0, []
    started = time.monotonic()
    while time.monotonic() - started < 300:
        try:
            con = duckdb.connect(db, read_only=True)
        except duckdb.Error:
            waits += 1  # the writer holds the file for a batch: try again
            time.sleep(0.02)
            continue
        try:
            # Whole batches only: every article has exactly its entities and removed lines.
            torn += con.execute(
                "SELECT doc_id FROM articles a WHERE n_entities <> (SELECT count(*) FROM entities e WHERE e.doc_id = a.doc_id)"
                " OR n_removed_lines <> (SELECT count(*) FROM removed_lines r WHERE r.doc_id = a.doc_id)"
            ).fetchall()
            reads += 1
        except duckdb.Error:
            pass  # schema not created yet
        finally:
            con.close()
        if os.path.exists(stop):
            break
        time.sleep(0.02)
    json.dump({"reads": reads, "waits": waits, "torn": torn}, open(out, "w"))
""")


def test_reader_in_another_process_sees_only_whole_batches(seeds_copy, tmp_path):
    db = tmp_path / "shared.duckdb"
    duckdb.connect(str(db)).close()  # the file exists before the reader starts
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(out)])
    try:
        result = pipeline(paths=[str(seeds_copy)], db=str(db), batch_size=1)
    finally:
        stop.touch()
        reader.wait(timeout=120)
    seen = json.loads(out.read_text())
    assert result.status == "COMPLETED" and result.counts.articles_new == 5
    assert seen["reads"] > 0 and seen["torn"] == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
