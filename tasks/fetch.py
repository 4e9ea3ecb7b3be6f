"""HTTP fetching for ingest: one URL at a time, politely and conditionally.

`fetch_page(client, url, state)` fetches one URL (httpx: per-request timeout, bounded
retries with backoff on timeouts and 5xx, redirects followed up to a limit, a size cap on
bodies, a User-Agent naming the tool) into a `Page`; with the ETag/Last-Modified of
`state` an unchanged URL costs one 304. Every failure is a `FetchError` with a clear
message (the quarantine reason). What a feed becomes — its entries, fetched batch by
batch — is tasks/feeds.py.

Bounds: each request has the per-request timeout, each body a deadline, and each URL (all
its tries and redirects) `entry_deadline_s`, so a slow entry costs only itself. Links and
redirects from fetched content go through the network policy (tasks/netpolicy.py).
Permanent failures (unsupported scheme, refused address, 4xx) are not retried.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from newsetl.tasks.plan import is_url  # noqa: F401  (one definition, importable without the HTTP client)
from newsetl.tasks.netpolicy import BlockedAddress, NetPolicy, policy_mounts, policy_transport
from newsetl.tasks.records import InputState, content_hash
from newsetl.tasks.sanitize import sane_date

STAGE = "ingest"
USER_AGENT = "newsetl/0.1 (+https://github.com/newsetl/newsetl; news ETL)"
MAX_REDIRECTS = 5
RETRIES = 2  # after the first try, on timeouts, connection errors and 5xx
BACKOFF_S = 0.5  # doubled on each retry
BODY_DEADLINE_FACTOR = 3  # a whole body may take this many per-request timeouts
FEED_TYPES = ("rss", "atom", "xml")


class FetchError(Exception):
    """A URL that could not be fetched; the message is the quarantine error."""


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


@dataclass(frozen=True)
class Page:
    """A fetched body: the URL asked for, where it ended after redirects, its bytes, charset
    and the state to remember it by (validators and content hash)."""

    url: str
    final_url: str
    body: bytes
    charset: str | None
    content_type: str
    state: InputState


def http_client(trusted_urls: list[str], allow_private: bool, timeout_s: float) -> httpx.Client:
    """An httpx client for newsetl's fetching: per-request timeout, redirects up to a limit,
    our User-Agent, and every connection through the network policy trusting the hosts and
    ports of `trusted_urls` (the URLs the user configured), proxies from the environment
    included (tasks/netpolicy.py `policy_mounts`)."""
    policy = NetPolicy.for_urls(trusted_urls, allow_private)
    return httpx.Client(
        timeout=timeout_s, follow_redirects=True, max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT}, transport=policy_transport(policy), mounts=policy_mounts(policy),
    )


def fetch_page(
    client: httpx.Client, url: str, state: InputState | None, max_bytes: int, entry_deadline_s: float | None = None
) -> Page | None:
    """Fetch one URL (conditionally when `state` has validators) into a `Page`; None on
    304 Not Modified. Raises FetchError with the quarantine reason."""
    response = _get(client, url, state, max_bytes, entry_deadline_s)
    if response is None:
        return None
    return Page(
        url, str(response.url), response.content, response.charset_encoding,
        response.headers.get("content-type", ""), _state(url, response),
    )


def looks_like_feed(page: Page) -> bool:
    """True when a page is an RSS/Atom feed, told by its content type or its first bytes."""
    content_type = page.content_type.lower()
    if any(t in content_type for t in FEED_TYPES) and "html" not in content_type:
        return True
    head = page.body[:500].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


def _state(url: str, response: httpx.Response) -> InputState:
    return InputState(url, response.headers.get("etag"), response.headers.get("last-modified"), content_hash(response.content))


def entry_date(entry) -> datetime | None:
    """A feedparser entry's published (else updated) date, UTC, within the sane range; else None."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        value = datetime(*parsed[:6], tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        return None
    return sane_date(value)[0]
