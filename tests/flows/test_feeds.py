"""Feeds and article URLs over real HTTP, from a server on 127.0.0.1 started by the test."""

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from newsetl.flows.pipeline import pipeline
from newsetl.tasks.feeds import fetch_sources

PAGE = (
    "<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
    "<p>{title}: the harbour authority said on Monday that dredging of the old channel would begin next week, "
    "after years of delays caused by disputes over funding and the disposal of the silt.</p>"
    "<p>Fishermen welcomed the news, saying the shallow channel had made it dangerous to return at low tide.</p>"
    "</article></body></html>"
)


def rss(base: str, items: list[str]) -> str:
    entries = "".join(
        f"<item><title>Story {i}</title><link>{base}/{i}.html</link><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
        for i in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>{entries}</channel></rss>'


def atom(base: str, items: list[str]) -> str:
    entries = "".join(
        f'<entry><title>Story {i}</title><link href="{base}/{i}.html"/><updated>2026-01-05T11:00:00Z</updated><id>{i}</id></entry>'
        for i in items
    )
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Wire</title>{entries}</feed>'


@pytest.fixture
def news_server():
    hits: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            hits[self.path] += 1
            base = f"http://127.0.0.1:{self.server.server_port}"
            feeds = {
                "/feed1.xml": (rss(base, ["a1", "a2", "gone"]), '"v1"', "application/rss+xml"),
                "/feed2.xml": (atom(base, ["a2", "broken"]), '"w1"', "application/atom+xml"),
                "/notfeed.xml": ("this is not XML at all", None, "application/rss+xml"),
            }
            if self.path in feeds:
                body, etag, ctype = feeds[self.path]
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self._send(200, body, ctype, etag)
            elif self.path in ("/a1.html", "/a2.html"):
                self._send(200, PAGE.format(title=f"Dredging story {self.path[1:3]}"), "text/html; charset=utf-8")
            elif self.path == "/broken.html":
                self._send(500, "oops", "text/plain")
            elif self.path == "/slow.html":
                time.sleep(3)
                self._send(200, PAGE.format(title="Slow"), "text/html")
            elif self.path == "/drip.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "40")
                self.end_headers()
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif self.path == "/big.html":
                self._send(200, "<p>" + "x" * 50_000 + "</p>", "text/html")
            elif self.path == "/loop.html":
                self.send_response(302)
                self.send_header("Location", "/loop.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(404, "not here", "text/plain")

        def _send(self, status, body, ctype, etag=None):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_two_overlapping_feeds_store_each_article_once_and_refetch_conditionally(news_server, tmp_path):
    base, hits = news_server
    db = tmp_path / "feeds.duckdb"
    feeds = [f"{base}/feed1.xml", f"{base}/feed2.xml", f"{base}/notfeed.xml"]
    first = pipeline(paths=feeds, db=str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT url, source, title, published_from FROM articles ORDER BY url").fetchall()
        quarantined = dict(con.execute("SELECT regexp_extract(source_uri, '[^/]+$'), error FROM quarantine").fetchall())
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "entities", "quarantine")}
    assert [(u.rsplit("/", 1)[-1], t) for u, _, t, _ in stored] == [("a1.html", "Story a1"), ("a2.html", "Story a2")]
    assert {s for _, s, _, _ in stored} <= {"Harbour News", "Coast Wire"} and {p for *_, p in stored} == {"feed"}
    assert quarantined["gone.html"] == "HTTP 404 Not Found"
    assert quarantined["broken.html"] == "HTTP 500 Internal Server Error after 3 tries"
    assert quarantined["notfeed.xml"].startswith("not a readable feed")
    assert first.counts.articles_new == 2 and hits["/a2.html"] == 1 and hits["/broken.html"] == 3

    pages_before = hits["/a1.html"] + hits["/a2.html"]
    second = pipeline(paths=feeds[:2], db=str(db))
    assert second.counts.articles_new == 0
    assert hits["/a1.html"] + hits["/a2.html"] == pages_before  # 304 for both feeds: no page fetched
    with duckdb.connect(str(db), read_only=True) as con:
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "entities", "quarantine")} == counts


def test_timeouts_size_cap_and_redirect_loops_are_quarantined_with_reasons(news_server):
    base, hits = news_server
    urls = [f"{base}/{name}.html" for name in ("slow", "big", "loop", "drip", "a1")]
    result = fetch_sources(urls, {}, lambda url: "example", lambda body, charset: body.decode(), timeout_s=1.0, max_bytes=10_000)
    errors = {q.source_uri.rsplit("/", 1)[-1]: q.error for q in result.quarantined}
    assert errors == {
        "slow.html": "failed after 3 tries: timed out",
        "big.html": "body over the 10,000-byte limit",
        "loop.html": "more than 5 redirects",
        "drip.html": "body too slow: not complete after 3 s",
    }
    assert [a.url.rsplit("/", 1)[-1] for a in result.articles] == ["a1.html"]
    assert hits["/slow.html"] == 3
