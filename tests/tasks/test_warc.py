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
