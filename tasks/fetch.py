"""HTTP ingest: RSS/Atom feeds and article URLs, fetched politely and conditionally.

`fetch_sources(urls, known, settings)` fetches each URL once (httpx: per-request timeout,
bounded retries with backoff on timeouts and 5xx, redirects followed up to a limit, a
size cap on bodies, a User-Agent naming the tool, one request at a time). A feed (told by
its content type or body) brings its entries' URLs, titles and dates; each entry's page
is then fetched as an article. `known` holds what was seen before (ETag, Last-Modified,
content hash per URL): an unchanged feed costs one 304, an unchanged page is skipped.
Every failure becomes a `Quarantined` with a clear error; the rest goes on.

Bounds: each request has the per-request timeout, each body a deadline, and each URL (all
its tries and redirects) `entry_deadline_s`, so a slow entry costs only itself. Links and
redirects from fetched content go through the network policy (tasks/netpolicy.py).
Permanent failures (unsupported scheme, refused address, 4xx) are not retried.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import urlsplit

import feedparser
import httpx

from newsetl.tasks.netpolicy import BlockedAddress, NetPolicy, policy_transport
from newsetl.tasks.records import Article, InputState, Quarantined, content_hash, stable_id
from newsetl.tasks.sanitize import sane_date

STAGE = "ingest"
USER_AGENT = "newsetl/0.1 (+https://github.com/newsetl/newsetl; news ETL)"
MAX_REDIRECTS = 5
RETRIES = 2  # after the first try, on timeouts, connection errors and 5xx
BACKOFF_S = 0.5  # doubled on each retry
BODY_DEADLINE_FACTOR = 3  # a whole body may take this many per-request timeouts
FEED_TYPES = ("rss", "atom", "xml")


@dataclass(frozen=True)
class FetchResult:
    """What fetching a list of sources gave: new articles, failures, URL states to store, and counts."""

    articles: list[Article]
    quarantined: list[Quarantined]
    states: list[InputState]
    unchanged: int


class FetchError(Exception):
    """A URL that could not be fetched; the message is the quarantine error."""


def is_url(value: str) -> bool:
    """True for an http(s) URL."""
    return urlsplit(str(value)).scheme in ("http", "https")


def _get(
    client: httpx.Client, url: str, state: InputState | None, max_bytes: int, entry_deadline_s: float | None = None
) -> httpx.Response | None:
    """GET with retries, all within `entry_deadline_s` (no new try starts after it, a body
    stops at it); None when the server answers 304 Not Modified."""
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    delay = BACKOFF_S
    entry_deadline = time.monotonic() + entry_deadline_s if entry_deadline_s else float("inf")
    for attempt in range(RETRIES + 1):
        try:
            started = time.monotonic()
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code >= 500 and attempt < RETRIES:
                    raise httpx.HTTPStatusError("server error", request=response.request, response=response)
                if response.status_code >= 400:
                    tries = f" after {RETRIES + 1} tries" if response.status_code >= 500 else ""
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}{tries}")
                body = bytearray()
                # The timeout applies to each read; a server dripping a byte at a time
                # never trips it, so the whole body also gets a deadline.
                deadline = min(time.monotonic() + BODY_DEADLINE_FACTOR * client.timeout.read, entry_deadline)
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(f"body over the {max_bytes:,}-byte limit")
                    if time.monotonic() > deadline:
                        raise FetchError(f"body too slow: not complete after {deadline - started:.0f} s")
                response._content = bytes(body)  # keep the bytes read, for .content and .text
                return response
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
        except BlockedAddress as exc:  # the policy's answer: permanent
            raise FetchError(str(exc)) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:  # a redirect to ftp:// or a broken URL: permanent
            raise FetchError(f"unsupported or invalid URL: {exc}") from None
        except (httpx.TimeoutException, httpx.TransportError, httpx.HTTPStatusError) as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else str(exc) or type(exc).__name__
            if attempt == RETRIES:
                raise FetchError(f"failed after {RETRIES + 1} tries: {kind}") from None
            if time.monotonic() + delay > entry_deadline:
                raise FetchError(f"gave up after {attempt + 1} tries within the {entry_deadline_s:.0f} s limit per URL: {kind}") from None
            time.sleep(delay)
            delay *= 2
    raise FetchError("unreachable")  # pragma: no cover


def _looks_like_feed(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    if any(t in content_type for t in FEED_TYPES) and "html" not in content_type:
        return True
    head = response.content[:500].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


def _state(url: str, response: httpx.Response) -> InputState:
    return InputState(url, response.headers.get("etag"), response.headers.get("last-modified"), content_hash(response.content))


def fetch_sources(
    urls: list[str], known: dict[str, InputState], domain_of: Callable, decode: Callable,
    stored: Callable[[list[str]], set[str]] = lambda urls: set(), timeout_s: float = 20.0,
    max_bytes: int = 10 * 1024 * 1024, source_names: dict[str, str] | None = None,
    allow_private: bool = False, entry_deadline_s: float | None = None,
) -> FetchResult:
    """Fetch feeds and article URLs; see the module doc.

    `domain_of(url)` names sources; `decode(bytes, charset)` turns a page into text
    (ValueError when it cannot); `stored(urls)` says which feed entries are stored
    already (they are not fetched again). `urls` are trusted wherever they point; links
    and redirects reach internal addresses only on those hosts and ports, or with
    `allow_private`. Each URL gets at most `entry_deadline_s` seconds, tries included.
    """
    articles: list[Article] = []
    bad: list[Quarantined] = []
    states: list[InputState] = []
    unchanged = 0
    client = httpx.Client(
        timeout=timeout_s, follow_redirects=True, max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT}, transport=policy_transport(NetPolicy.for_urls(urls, allow_private)),
    )

    def get(url: str) -> httpx.Response | None:
        """Fetch one URL; None (and the reason recorded) when there is nothing new to read."""
        nonlocal unchanged
        try:
            response = _get(client, url, known.get(url), max_bytes, entry_deadline_s)
        except FetchError as exc:
            bad.append(Quarantined(url, STAGE, str(exc)))
            return None
        if response is None:
            unchanged += 1
            return None
        states.append(_state(url, response))
        return response

    with client:
        pages: list[tuple[str, dict]] = []  # (url, metadata from the feed)
        for url in urls:
            response = get(url)
            if response is None:
                continue
            if _looks_like_feed(response):
                feed = feedparser.parse(response.content)
                if feed.bozo and not feed.entries:
                    bad.append(Quarantined(url, STAGE, f"not a readable feed: {feed.get('bozo_exception')}"))
                    continue
                name = (source_names or {}).get(url) or feed.feed.get("title") or domain_of(url)
                for entry in feed.entries:
                    if entry.get("link") and not is_url(entry["link"]):
                        bad.append(Quarantined(str(entry["link"]), STAGE, f"unsupported URL scheme in a feed entry of {url}"))
                    elif entry.get("link"):
                        pages.append((entry["link"], {"title": entry.get("title"), "published": _entry_date(entry), "source": name}))
            else:
                pages.append((url, {"response": response, "source": (source_names or {}).get(url)}))
        seen: set[str] = set()
        already = stored([url for url, meta in pages if "response" not in meta])
        for url, meta in pages:
            if url in seen:
                continue
            if url in already:
                seen.add(url)
                unchanged += 1
                continue
            seen.add(url)
            response = meta.get("response") or get(url)
            if response is None:
                continue
            if known.get(url) and known[url].content_hash == content_hash(response.content):
                unchanged += 1
                continue
            try:
                text = decode(response.content, response.charset_encoding)
            except ValueError as exc:
                bad.append(Quarantined(url, STAGE, str(exc), content_hash=content_hash(response.content)))
                continue
            final_url = str(response.url)
            articles.append(Article(
                doc_id=stable_id(url), source_uri=url, source=meta.get("source") or domain_of(final_url) or "web",
                raw_text=text, content_hash=content_hash(response.content), input_format="html",
                fetched_at=datetime.now(timezone.utc), url=final_url, title=meta.get("title"),
                published_at=meta.get("published"), published_from="feed" if meta.get("published") else None,
            ))
    return FetchResult(articles, bad, states, unchanged)


def _entry_date(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        value = datetime(*parsed[:6], tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        return None
    return sane_date(value)[0]
