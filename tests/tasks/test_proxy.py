"""Fetching honours HTTP_PROXY/NO_PROXY under the network policy (issue 16): the proxy is
trusted like a URL the user wrote; a link from fetched content goes to the proxy only once
its host resolves here to a public address; NO_PROXY hosts are connected to directly.
The proxy is a loopback server answering for the URLs it is asked (absolute-form request
lines, as a forward proxy receives them); nothing leaves the machine."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsetl.tasks.feeds import fetch_sources

PAGE = "<html><body><article><h1>{t}</h1><p>The harbour authority said dredging would begin next week.</p></article></body></html>"
PUBLIC = "http://93.184.216.34"  # a public address, written as a literal: only the proxy is ever asked for it
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy")


def start(routes: dict[str, tuple[str, str]], asked: list[str]) -> tuple[ThreadingHTTPServer, int]:
    """A loopback server answering `routes` (path or absolute URL -> body, content type); every request's target goes to `asked`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            body, ctype = routes.get(self.path, ("not here", "text/plain"))
            data = body.encode()
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


@pytest.fixture
def proxy(monkeypatch):
    """A loopback forward proxy holding a feed at http://feeds.test/feed.xml; HTTP_PROXY points at it."""
    links = ["http://feeds.test/own.html", f"{PUBLIC}/story.html", "http://127.0.0.1:9/admin", "http://nowhere.invalid/x"]
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    routes = {
        "http://feeds.test/feed.xml": (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Via proxy</title>{items}</channel></rss>', "application/rss+xml"),
        "http://feeds.test/own.html": (PAGE.format(t="Own page"), "text/html"),
        f"{PUBLIC}/story.html": (PAGE.format(t="Public story"), "text/html"),
        "http://127.0.0.1:9/admin": ("root password is hunter2", "text/html"),
    }
    asked: list[str] = []
    server, port = start(routes, asked)
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    yield asked
    server.shutdown()
    server.server_close()


def fetch(urls, allow_private=False):
    return fetch_sources(urls, {}, lambda url: "example", lambda body, charset: body.decode(), timeout_s=2.0,
                         max_bytes=100_000, allow_private=allow_private)


def test_feed_through_the_proxy_fetches_public_links_and_refuses_internal_or_unresolvable_ones(proxy):
    result = fetch(["http://feeds.test/feed.xml"])
    assert sorted(a.url for a in result.articles) == [f"{PUBLIC}/story.html", "http://feeds.test/own.html"]
    errors = {q.source_uri: q.error for q in result.quarantined}
    assert errors["http://127.0.0.1:9/admin"].startswith("refused: 127.0.0.1:9 is a loopback address")
    assert errors["http://nowhere.invalid/x"].startswith("refused: cannot resolve nowhere.invalid")
    # The user's feed went through the proxy unchecked (a name only the proxy may resolve);
    # the refused links never reached it.
    assert proxy == ["http://feeds.test/feed.xml", "http://feeds.test/own.html", f"{PUBLIC}/story.html"]


def test_allow_private_addresses_sends_internal_links_through_the_proxy(proxy):
    result = fetch(["http://feeds.test/feed.xml"], allow_private=True)
    assert "http://127.0.0.1:9/admin" in proxy
    assert "http://127.0.0.1:9/admin" in {a.url for a in result.articles}


def test_no_proxy_hosts_are_fetched_directly(proxy, monkeypatch):
    asked_directly: list[str] = []
    server, port = start({"/page.html": (PAGE.format(t="Direct"), "text/html")}, asked_directly)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        result = fetch([f"http://127.0.0.1:{port}/page.html"])
    finally:
        server.shutdown()
        server.server_close()
    assert [a.url for a in result.articles] == [f"http://127.0.0.1:{port}/page.html"]
    assert asked_directly == ["/page.html"] and proxy == []
