"""Ingest over real files: folders, JSONL (whole and in byte ranges), encodings, bad input."""

import json
from pathlib import Path

from newsetl.tasks.ingest import batch_units, decode_text, only_changed, plan_inputs, read_units, InputError
from newsetl.tasks.settings import Settings
from tests.conftest import SEEDS

import pytest

SETTINGS = Settings()


def read_all(paths, settings=SETTINGS):
    units, missing = plan_inputs(paths, settings)
    articles, bad = read_units(units, settings)
    return articles, missing + bad


def test_folder_of_seeds_gives_one_article_per_file_with_stable_ids():
    articles, bad = read_all([SEEDS])
    assert bad == []
    assert len(articles) == 5
    assert {a.source for a in articles} == {"seeds"}
    assert all(a.input_format == "text" and a.raw_text.strip() for a in articles)
    again, _ = read_all([SEEDS])
    assert [a.doc_id for a in again] == [a.doc_id for a in articles]
    assert len({a.doc_id for a in articles}) == 5


def test_raw_text_is_exactly_the_file_content():
    articles, _ = read_all([SEEDS])
    for article in articles:
        assert article.raw_text == Path(article.source_uri).read_text(encoding="utf-8")


def test_jsonl_good_lines_load_and_broken_lines_are_quarantined(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        "\n".join([
            json.dumps({"id": "a1", "text": "First article body.", "title": "One", "source": "wire", "published_at": "2026-01-30T10:00:00Z"}),
            json.dumps({"id": "future", "text": "Embargoed.", "published_at": "2999-01-01T00:00:00Z"}),
            '{"id": "broken", "text": "no closing brace"',
            json.dumps({"id": "a2", "html": "<html><body><p>Second</p></body></html>", "url": "https://www.example.org/a2"}),
            json.dumps({"id": "a3", "text": "   "}),
            json.dumps(["not", "an", "object"]),
        ]) + "\n",
        encoding="utf-8",
    )
    articles, bad = read_all([path])
    assert [a.source_uri for a in articles] == [f"{path}#a1", f"{path}#future", "https://www.example.org/a2"]
    first, future, second = articles
    assert future.published_at is None  # more than a day ahead: not a publication date
    assert first.title == "One" and first.source == "wire" and first.published_at.year == 2026
    assert second.input_format == "html" and second.source == "example.org"
    errors = {q.source_uri: q.error for q in bad}
    assert set(errors) == {f"{path}#L3", f"{path}#L5", f"{path}#L6"}
    assert "malformed JSON" in errors[f"{path}#L3"]
    assert "no non-empty 'text' or 'html'" in errors[f"{path}#L5"]


def test_big_jsonl_is_read_in_byte_ranges_with_the_same_records_and_line_numbers(tmp_path):
    path = tmp_path / "many.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": f"Article number {i} " * 20}) for i in range(300)]
    lines[150] = "{broken"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    small_chunks = Settings(jsonl_chunk_bytes=4096)
    units, _ = plan_inputs([path], small_chunks)
    assert len(units) > 10
    chunked, bad_chunked = read_units(units, small_chunks)
    whole, bad_whole = read_all([path])
    assert [a.source_uri for a in chunked] == [a.source_uri for a in whole]
    assert len(chunked) == 299
    assert [q.source_uri for q in bad_chunked] == [q.source_uri for q in bad_whole] == [f"{path}#L151"]
    # A JSONL range is a batch of its own; whole files are grouped up to the batch size.
    assert all(len(batch) == 1 for batch in batch_units(units, 200))


def test_bad_files_are_quarantined_with_clear_errors_and_good_ones_still_load(tmp_path):
    (tmp_path / "good.txt").write_text("A headline\n\nA paragraph of news text.\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Le président a déclaré à la presse qu'il était très satisfait.".encode("latin-1"))
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # unsupported inside a folder: ignored
    articles, bad = read_all([tmp_path, tmp_path / "missing.txt"])
    assert sorted(Path(a.source_uri).name for a in articles) == ["good.txt", "latin1.txt"]
    latin = next(a for a in articles if a.source_uri.endswith("latin1.txt"))
    assert "président" in latin.raw_text and "déclaré" in latin.raw_text
    errors = {Path(q.source_uri).name: q.error for q in bad}
    assert errors == {
        "binary.txt": "binary content, not text",
        "empty.txt": "empty or whitespace-only content",
        "blank.md": "empty or whitespace-only content",
        "missing.txt": "no such file or folder",
    }


def test_oversized_file_is_quarantined_without_being_read(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 50_000)
    articles, bad = read_all([big], Settings(max_file_bytes=100_000))
    assert articles == []
    assert "over the 100,000-byte limit" in bad[0].error


def test_decode_text_rejects_binary_and_keeps_utf8_with_bom():
    assert decode_text("\ufeffKyiv".encode("utf-8")) == "Kyiv"
    with pytest.raises(InputError):
        decode_text(b"\x00\x01\x02 PNG")


def test_only_changed_skips_stored_articles_with_the_same_content():
    articles, _ = read_all([SEEDS])
    stored = {articles[0].doc_id: articles[0].content_hash, articles[1].doc_id: "an older version"}
    fresh = only_changed(articles, stored)
    assert [a.doc_id for a in fresh] == [a.doc_id for a in articles[1:]]


def test_a_repeated_id_in_one_batch_keeps_the_last_record_as_a_later_batch_would(tmp_path):
    feed = tmp_path / "export.jsonl"
    feed.write_text(
        json.dumps({"id": "story-7", "text": "First version: the council met on Monday."}) + "\n"
        + json.dumps({"id": "other", "text": "Another story about the harbour."}) + "\n"
        + json.dumps({"id": "story-7", "text": "Corrected version: the council met on Tuesday."}) + "\n",
        encoding="utf-8",
    )
    articles, _ = read_all([feed])
    fresh = only_changed(articles, {})
    assert [a.raw_text for a in fresh] == ["Corrected version: the council met on Tuesday.", "Another story about the harbour."]
    # the same record again is unchanged; stored content under that id is replaced by the last record
    latest = fresh[0]
    assert only_changed(articles, {latest.doc_id: latest.content_hash, fresh[1].doc_id: fresh[1].content_hash}) == []


def test_gzip_compressed_files_are_read_and_a_truncated_one_is_quarantined(tmp_path):
    import gzip

    (tmp_path / "a.txt.gz").write_bytes(gzip.compress("Headline\n\nA paragraph of news.\n".encode("utf-8")))
    lines = "\n".join(json.dumps({"id": f"g{i}", "text": f"Story {i} body."}) for i in range(3)) + "\n"
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress(lines.encode("utf-8")))
    whole = gzip.compress(b"Some text that will be cut short " * 200)
    (tmp_path / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    articles, bad = read_all([tmp_path])
    assert sorted(a.source_uri.rsplit("/", 1)[-1] for a in articles) == ["a.txt.gz", "feed.jsonl.gz#g0", "feed.jsonl.gz#g1", "feed.jsonl.gz#g2"]
    assert next(a for a in articles if a.source_uri.endswith("a.txt.gz")).raw_text.startswith("Headline")
    assert [(Path(q.source_uri).name, q.error.split(":")[0]) for q in bad] == [("cut.html.gz", "corrupt or truncated gzip file")]


def test_csv_rows_become_articles_and_bad_rows_or_headers_are_quarantined(tmp_path):
    (tmp_path / "rows.csv").write_text(
        'id,title,text,url\n'
        'c1,First,"A first article, with a comma.",\n'
        'c2,Second,,https://example.org/c2\n'
        'c3,Third,"A third article\nover two lines.",https://www.example.org/c3\n',
        encoding="utf-8",
    )
    (tmp_path / "nobody.csv").write_text("id,title\nx,Only a title\n", encoding="utf-8")
    articles, bad = read_all([tmp_path])
    assert [(a.source_uri, a.title) for a in articles] == [(f"{tmp_path}/rows.csv#c1", "First"), ("https://www.example.org/c3", "Third")]
    assert articles[1].raw_text == "A third article\nover two lines." and articles[1].source == "example.org"
    errors = {q.source_uri.rsplit("/", 1)[-1]: q.error for q in bad}
    assert errors == {
        "nobody.csv": "CSV header has no 'text' or 'html' column",
        "rows.csv#L3": "record has no non-empty 'text' or 'html' field",
    }


@pytest.mark.parametrize(
    "payload, kind, count",
    [
        (b'{"id": "s1", "text": "From a pipe."}\n{"id": "s2", "html": "<p>Two</p>"}\n', "jsonl", 2),
        (b"<html><body><p>A page on stdin.</p></body></html>", "html", 1),
        (b"Plain text on stdin.\n", "text", 1),
    ],
)
def test_standard_input_is_read_as_json_lines_html_or_text(monkeypatch, payload, kind, count):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    articles, bad = read_all(["-"])
    assert bad == [] and len(articles) == count
    if kind != "jsonl":
        assert articles[0].input_format == kind and articles[0].source == "stdin"


def test_sources_file_names_the_source_of_its_folders_and_records(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "one.txt").write_text("A headline\n\nA paragraph.\n", encoding="utf-8")
    (archive / "feed.jsonl").write_text(json.dumps({"id": "r1", "text": "Body."}) + "\n", encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "harbour-gazette"\npaths = ["archive"]\n', encoding="utf-8")
    articles, bad = read_all([sources])
    assert bad == [] and {a.source for a in articles} == {"harbour-gazette"} and len(articles) == 2


@pytest.mark.parametrize(
    "content, error",
    [
        ("[[source]\nname = 1", "unreadable sources file: invalid TOML"),
        ('[[source]]\npaths = ["x"]\n', "unreadable sources file: [[source]] number 1 has no name"),
        ('[[source]]\nname = "a"\nfeeds = "https://x"\n', "unreadable sources file: source 'a': feeds must be a list of strings"),
    ],
)
def test_malformed_sources_file_is_quarantined_with_the_reason(tmp_path, content, error):
    (tmp_path / "sources.toml").write_text(content, encoding="utf-8")
    articles, bad = read_all([tmp_path / "sources.toml"])
    assert articles == [] and bad[0].error.startswith(error)


def test_a_200_mb_file_is_quarantined_without_reading_it(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to disk
    (tmp_path / "small.txt").write_text("A headline\n\nA paragraph.\n", encoding="utf-8")
    articles, bad = read_all([tmp_path])
    assert [Path(a.source_uri).name for a in articles] == ["small.txt"]
    assert [Path(q.source_uri).name for q in bad] == ["huge.txt"] and "over the 52,428,800-byte limit" in bad[0].error


def test_truncated_html_and_mixed_encodings_still_give_valid_text(tmp_path):
    (tmp_path / "cut.html").write_text("<html><body><article><h1>Port closes</h1><p>The port closed on Monday because of", encoding="utf-8")
    mixed = "Le maire a annoncé la fermeture du port. ".encode("utf-8") + "Café fermé à cause de la tempête.".encode("latin-1")
    (tmp_path / "mixed.txt").write_bytes(mixed)
    articles, bad = read_all([tmp_path])
    assert bad == [] and len(articles) == 2
    for article in articles:
        article.raw_text.encode("utf-8")  # valid UTF-8, whatever came in
    assert "annoncé" in next(a for a in articles if a.source_uri.endswith("mixed.txt")).raw_text


def test_html_meta_charset_is_honoured(tmp_path):
    page = '<html><head><meta charset="windows-1251"></head><body><p>Київ: новини дня</p></body></html>'
    (tmp_path / "cyrillic.html").write_bytes(page.encode("cp1251"))
    [article], bad = read_all([tmp_path / "cyrillic.html"])
    assert bad == [] and "новини дня" in article.raw_text


def test_files_with_the_stored_size_and_mtime_are_not_read_again(tmp_path):
    import os

    from newsetl.tasks.ingest import InputUnit, file_state, unchanged_files

    same, edited = tmp_path / "same.txt", tmp_path / "edited.txt"
    same.write_text("unchanged", encoding="utf-8")
    edited.write_text("before", encoding="utf-8")
    known = {str(p): file_state(str(p)) for p in (same, edited)}
    edited.write_text("after, longer", encoding="utf-8")
    os.utime(edited, ns=(known[str(edited)].mtime_ns, known[str(edited)].mtime_ns + 1))
    units = [InputUnit(str(same), "t"), InputUnit(str(edited), "t"), InputUnit(str(tmp_path / "new.txt"), "t")]
    assert unchanged_files(units, known) == {str(same)}


# --- encodings: valid UTF-8 wins over declarations, byte-order marks are honoured ---------------

PAGE = "<html><head>{meta}<title>Joachim Rücker zahlt £5</title></head><body><p>Die Straße nach Kraków, szóstej.</p></body></html>"


def test_a_utf8_page_declaring_latin1_is_read_as_utf8(tmp_path):
    for declared in ('<meta charset="iso-8859-1">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', '<meta charset="iso-8859-2">'):
        (tmp_path / "page.html").write_bytes(PAGE.format(meta=declared).encode("utf-8"))
        [article], bad = read_all([tmp_path / "page.html"])
        assert bad == []
        assert "Joachim Rücker zahlt £5" in article.raw_text and "szóstej" in article.raw_text, declared


def test_a_latin1_page_is_still_read_by_its_declaration(tmp_path):
    (tmp_path / "page.html").write_bytes(PAGE.format(meta='<meta charset="iso-8859-1">').replace("szóstej", "szostej").encode("cp1252"))
    [article], _ = read_all([tmp_path / "page.html"])
    assert "Joachim Rücker zahlt £5" in article.raw_text


def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read_not_quarantined(tmp_path):
    text = "Kyiv, Kraków and Zürich: a report.\n"
    for name, data in {
        "le16.txt": b"\xff\xfe" + text.encode("utf-16-le"), "be16.txt": b"\xfe\xff" + text.encode("utf-16-be"),
        "le32.txt": b"\xff\xfe\x00\x00" + text.encode("utf-32-le"), "be32.html": b"\x00\x00\xfe\xff" + f"<p>{text}</p>".encode("utf-32-be"),
        "bom8.html": b"\xef\xbb\xbf" + f"<p>{text}</p>".encode("utf-8"),
    }.items():
        (tmp_path / name).write_bytes(data)
    articles, bad = read_all([tmp_path])
    assert bad == []
    assert len(articles) == 5
    assert all("Kraków and Zürich" in a.raw_text and not a.raw_text.startswith("\ufeff") for a in articles)


def test_a_byte_order_mark_followed_by_other_bytes_is_quarantined_with_the_reason(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe" + b"\x00\xd8 lone surrogate")
    articles, bad = read_all([tmp_path / "bad.txt"])
    assert articles == [] and "byte-order mark" in bad[0].error


def test_mixed_encoding_repair_still_reads_stray_latin1_bytes_in_utf8(tmp_path):
    data = "Zürich report: ".encode("utf-8") + "Café crème".encode("cp1252") + " ends here.".encode("utf-8")
    assert decode_text(data) == "Zürich report: Café crème ends here."
    assert decode_text(b"\xef\xbb\xbf" + data) == "Zürich report: Café crème ends here."
    (tmp_path / "mixed.html").write_bytes(b"\xef\xbb\xbf<p>" + data + b"</p>")
    [article], bad = read_all([tmp_path / "mixed.html"])
    assert bad == [] and "Café crème" in article.raw_text


def test_source_from_says_where_the_source_came_from(tmp_path):
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "page.txt").write_text("A short report about the bridge.", encoding="utf-8")
    lines = [{"text": "x y z", "source": "Gazette"}, {"text": "x y z", "url": "https://news.example.co.uk/a"}, {"text": "x y z"}]
    (tmp_path / "feed" / "records.jsonl").write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    articles, _ = read_all([tmp_path / "feed"])
    got = {(a.source, a.source_from) for a in articles}
    assert got == {("feed", "folder"), ("Gazette", "input"), ("example.co.uk", "url"), ("records", "folder")}


def test_a_plan_handed_over_by_the_idle_check_is_reused_once_and_only_for_the_same_inputs(tmp_path):
    from newsetl.tasks.plan import hand_over, planned

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Council votes\n\nThe council voted on Monday.\n", encoding="utf-8")
    settings = Settings(db_path=tmp_path / "news.duckdb")
    early = plan_inputs([str(tmp_path / "in")], settings)
    hand_over([str(tmp_path / "in")], settings, early)
    (tmp_path / "in" / "b.txt").write_text("Bridge reopens\n\nThe bridge reopened on Friday.\n", encoding="utf-8")
    assert planned([str(tmp_path / "in")], settings) is early  # the snapshot the idle check took
    assert len(planned([str(tmp_path / "in")], settings)[0]) == 2  # used once: planned again now
    hand_over([str(tmp_path / "in")], settings, early)
    assert len(planned([str(tmp_path / "in")], Settings(db_path=tmp_path / "news.duckdb", batch_size=7))[0]) == 2  # other settings
    hand_over([str(tmp_path / "in")], settings, early)
    assert len(planned([str(tmp_path / "in"), str(tmp_path / "in" / "a.txt")], settings)[0]) == 3  # other paths
