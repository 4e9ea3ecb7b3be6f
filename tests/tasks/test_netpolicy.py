"""Network safety (issue 16, item 5): links and redirects from fetched content may not reach
internal addresses unless on a host:port the user configured; tested on loopback servers."""

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsetl.tasks.feeds import fetch_sources
from newsetl.tasks.netpolicy import BlockedAddress, NetPolicy, address_kind

SECRET = "root password is hunter2"
PAGE = "<html><body><article><h1>{t}</h1><p>The harbour authority said dredging would begin next week.</p></article></body></html>"


def serve(routes: dict[str, tuple[int, str, dict]]):
    """A loopback HTTP server answering `routes` (path -> status, body, headers); returns (server, base, hits)."""
    hits: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            hits[self.path] += 1
            status, body, headers = routes.get(self.path, (404, "not here", {}))
            data = body.format(base=f"http://127.0.0.1:{self.server.server_port}").encode()
            self.send_response(status)
            for key, value in {"Content-Type": "text/html", **headers}.items():
                self.send_header(key, value.format(base=f"http://127.0.0.1:{self.server.server_port}"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", hits


@pytest.fixture
def two_servers():
    """Server B holds an 'admin' page; server A a feed linking to A/page and B/admin, and redirects."""
    admin, admin_base, admin_hits = serve({"/admin": (200, SECRET, {})})
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet</title>'
        "<item><title>Own page</title><link>{base}/page</link></item>"
        f"<item><title>Admin</title><link>{admin_base}/admin</link></item>"
        "<item><title>FTP</title><link>ftp://files.example/secret</link></item>"
        "</channel></rss>"
    )
    feed, feed_base, feed_hits = serve({
        "/feed.xml": (200, rss, {"Content-Type": "application/rss+xml"}),
        "/page": (200, PAGE.format(t="Own page"), {}),
        "/to-admin": (302, "", {"Location": f"{admin_base}/admin"}),
        "/to-page": (302, "", {"Location": "{base}/page"}),
    })
    yield feed_base, admin_base, feed_hits, admin_hits
    for server in (admin, feed):
        server.shutdown()
        server.server_close()


def fetch(urls, allow_private=False):
    return fetch_sources(urls, {}, lambda url: "example", lambda body, charset: body.decode(), timeout_s=2.0,
                         max_bytes=100_000, allow_private=allow_private)


def test_feed_on_loopback_fetches_its_own_pages_and_refuses_another_port(two_servers):
    feed_base, admin_base, feed_hits, admin_hits = two_servers
    result = fetch([f"{feed_base}/feed.xml"])
    assert [a.url for a in result.articles] == [f"{feed_base}/page"]
    assert all(SECRET not in a.raw_text for a in result.articles)
    errors = {q.source_uri: q.error for q in result.quarantined}
    assert errors[f"{admin_base}/admin"].startswith(f"refused: 127.0.0.1:{admin_base.rsplit(':', 1)[1]} is a loopback address")
    assert errors["ftp://files.example/secret"].startswith("unsupported URL scheme")
    assert admin_hits["/admin"] == 0  # refused before connecting, and not retried


def test_redirects_are_checked_on_every_hop(two_servers):
    feed_base, admin_base, feed_hits, admin_hits = two_servers
    result = fetch([f"{feed_base}/to-admin", f"{feed_base}/to-page"])
    assert [a.url for a in result.articles] == [f"{feed_base}/page"]  # a redirect to the configured host:port is fine
    assert [q.source_uri for q in result.quarantined] == [f"{feed_base}/to-admin"]
    assert "refused" in result.quarantined[0].error and admin_hits["/admin"] == 0


def test_a_url_the_user_wrote_is_trusted_and_the_setting_widens_links(two_servers):
    feed_base, admin_base, feed_hits, admin_hits = two_servers
    assert SECRET in fetch([f"{admin_base}/admin"]).articles[0].raw_text  # written by the user: fetched
    widened = fetch([f"{feed_base}/feed.xml"], allow_private=True)
    assert sorted(a.url for a in widened.articles) == sorted([f"{feed_base}/page", f"{admin_base}/admin"])


def test_the_check_is_on_the_resolved_address_not_the_name():
    # 'localhost' is a name, not an IP literal: what counts is where it resolves to.
    with pytest.raises(BlockedAddress, match="loopback"):
        NetPolicy().connect_address("localhost", 8080)
    assert NetPolicy.for_urls(["http://localhost:8080/feed"]).connect_address("localhost", 8080) == "localhost"
    with pytest.raises(BlockedAddress):
        NetPolicy.for_urls(["http://localhost:8080/feed"]).connect_address("localhost", 8081)


@pytest.mark.parametrize("ip, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("100.64.0.1", "private"), ("93.184.216.34", None),
    ("2606:4700:4700::1111", None),
])
def test_address_kinds(ip, kind):
    assert address_kind(ip) == kind
