"""One record never aborts a run (issue 16, item 2), through the whole flow: hostile records
are stored made valid or quarantined with their stage and reason; everything else is stored."""

import json
import os

import duckdb

import newsetl.tasks.dedup as dedup_module
from newsetl.flows.pipeline import pipeline

BODY = "The council met on Tuesday and agreed to repair the old bridge before the winter storms arrive."


def test_hostile_records_in_one_run(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "wire.jsonl").write_text("\n".join([
        '{"id": "x\\ud800", "source": "wire\\udfff", "title": "Lone \\ud800 surrogate", "text": "%s"}' % BODY,
        json.dumps({"id": "year-one", "text": BODY.replace("council", "board"), "published_at": "0001-01-01T00:00:00Z"}),
        json.dumps({"id": "poison", "text": BODY.replace("bridge", "poisoned pier")}),
        json.dumps({"id": "fine", "text": BODY.replace("bridge", "library")}),
    ]) + "\n", encoding="utf-8")
    (inbox / "empty.jsonl").write_text("", encoding="utf-8")
    with open(os.path.join(os.fsencode(inbox), b"r\xe9sum\xe9.txt"), "wb") as fh:
        fh.write(f"Latin-1 file name\n\n{BODY.replace('council', 'mayor')}\n".encode())

    # A fault no input check foresees: dedup fails on one article of its batch.
    real = dedup_module.dedup_against_store

    def failing_on_poison(articles, *args, **kwargs):
        if any("poisoned pier" in a.raw_text for a in articles):
            raise OverflowError("date value out of range")
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(dedup_module, "dedup_against_store", failing_on_poison)
    db = tmp_path / "news.duckdb"
    result = pipeline(paths=[str(inbox)], db=str(db), batch_size=10)
    assert result.status == "COMPLETED"
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT regexp_extract(source_uri, '[^/#]+$'), notes FROM articles").fetchall())
        quarantined = dict(con.execute("SELECT regexp_extract(source_uri, '[^/#]+$'), stage || ': ' || error FROM quarantine").fetchall())
        [(published,)] = con.execute("SELECT published_at FROM articles WHERE source_uri LIKE '%#year-one'").fetchall()
    assert set(stored) == {"x\ufffd", "year-one", "fine", "r\\xe9sum\\xe9.txt"}
    assert "invalid Unicode" in stored["x\ufffd"] and "0001-01-01" in stored["year-one"] and published is None
    assert quarantined == {"poison": "store: OverflowError: date value out of range", "empty.jsonl": "ingest: no_records: the input holds no records"}
