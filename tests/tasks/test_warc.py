"""WARC input, on WARC files written by the tests with warcio."""

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsetl.tasks.ingest import plan_inputs, read_units
from newsetl.tasks.settings import Settings


def page(i: int) -> bytes:
    return (
        f"<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>"
        f"<p>Paragraph number {i} of a news story about the harbour, with enough words to read.</p>"
        "</article></body></html>"
    ).encode("utf-8")


def write_warc(path: Path, pages: int, gzip: bool = True) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for i in range(pages):
            url = f"https://news{i % 2}.example.co.uk/story/{i}"
            request = writer.create_warc_record(url, "request", payload=BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(page(i)), http_headers=headers))
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news0.example.co.uk/logo.png", "response",
                                                      payload=BytesIO(b"\x89PNG\r\n"), http_headers=image))


def read(paths, settings=Settings()):
    units, missing = plan_inputs(paths, settings)
    articles, bad = read_units(units, settings)
    return units, articles, missing + bad


def test_html_responses_become_articles_with_url_domain_and_fetch_time(tmp_path):
    write_warc(tmp_path / "crawl.warc.gz", pages=5)
    _, articles, bad = read([tmp_path / "crawl.warc.gz"])
    assert bad == []
    assert [a.url for a in articles] == [f"https://news{i % 2}.example.co.uk/story/{i}" for i in range(5)]
    assert {a.source for a in articles} == {"example.co.uk"}
    assert all(a.input_format == "html" and "<h1>Story" in a.raw_text and a.fetched_at.tzinfo for a in articles)


def test_a_big_warc_is_read_in_ranges_with_the_same_articles(tmp_path):
    write_warc(tmp_path / "crawl.warc", pages=23, gzip=False)
    whole_units, whole, _ = read([tmp_path / "crawl.warc"])
    small_units, split, bad = read([tmp_path / "crawl.warc"], Settings(batch_size=5))
    assert len(whole_units) == 1 and len(small_units) == 5
    assert [a.url for a in split] == [a.url for a in whole] and len(whole) == 23 and bad == []


def test_truncated_warc_keeps_what_precedes_the_damage_and_quarantines_the_rest(tmp_path):
    write_warc(tmp_path / "full.warc.gz", pages=6)
    data = (tmp_path / "full.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[: int(len(data) * 0.6)])
    _, articles, bad = read([tmp_path / "cut.warc.gz"])
    assert 1 <= len(articles) < 6
    assert len(bad) == 1 and bad[0].error.startswith("truncated or corrupt WARC after byte")


def write_bodies(path: Path, bodies: list[tuple[str, bytes]]) -> None:
    """A WARC of HTML responses: (Content-Type header, body bytes) each, in order."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, (content_type, body) in enumerate(bodies):
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://news.example.com/story/{i}", "response",
                                                          payload=BytesIO(body), http_headers=headers))


def test_a_crawled_page_is_read_by_its_byte_order_mark_then_valid_utf8_then_the_http_charset_then_its_meta(tmp_path):
    text = "<html><head>{meta}</head><body><p>Joachim Rücker zahlt £5 in Kraków, szóstej.</p></body></html>"
    latin1_meta = '<meta charset="iso-8859-1">'
    write_bodies(tmp_path / "crawl.warc.gz", [
        # Valid UTF-8 although the header and the page both say Latin-1 (the mojibake case).
        ("text/html; charset=iso-8859-1", text.format(meta=latin1_meta).encode("utf-8")),
        # UTF-16 with its byte-order mark, whatever the header says.
        ("text/html; charset=iso-8859-1", b"\xff\xfe" + text.format(meta="").encode("utf-16-le")),
        # Not UTF-8: the header's ISO-8859-2 wins over the page's Latin-1 <meta> ("ó" is the same
        # byte in both; "ł" (0xB3) is only ISO-8859-2's, Latin-1 reads it as "³").
        ("text/html; charset=iso-8859-2", text.format(meta=latin1_meta).replace("szóstej", "szóstej łódź").replace("£5", "5").encode("iso-8859-2")),
    ])
    _, articles, bad = read([tmp_path / "crawl.warc.gz"])
    assert bad == []
    first, second, third = (a.raw_text for a in articles)
    assert "Joachim Rücker zahlt £5" in first and "szóstej" in first and "Ã" not in first
    assert "Joachim Rücker zahlt £5 in Kraków" in second and not second.startswith("\ufeff")
    assert "szóstej łódź" in third and "Rücker" in third
