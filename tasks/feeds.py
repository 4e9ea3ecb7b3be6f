"""Feeds streamed into batches: a URL the user gave is fetched once and becomes one unit per
feed entry; ingest fetches the entries' pages batch by batch.

Before, all the pages of a feed were fetched and held before the first was stored (667 MB
for 1,000 entries of 200 KB). Now `expand_url` fetches only the URL the user configured:
a feed gives one `FeedEntry` per entry link (its title, date and source name, no page), a
page gives itself (its body, fetched already). The pipeline batches entries like any
other unit, and `fetch_entries` fetches one batch of pages, which goes through the stages
and is stored before the next batch is fetched: about one batch of pages in memory,
whatever the size of the feed.

A feed's validators (ETag, Last-Modified, content hash) ride on its last entry
(`FeedEntry.completes`) and are stored with that entry's batch only: a run stopped in the
middle stored none, so the next run fetches the feed again in full, skips the entries
stored already (by URL) and fetches the others — each entry stored once, none lost.

Every outcome of fetching a user URL travels as a `FeedEntry` in input order (an entry to
fetch, a page fetched already, a failure to quarantine, an unchanged URL, or just the
validators of an empty feed), so ingest has one path for all of them. The network policy
(tasks/netpolicy.py) trusts the host and port of each entry's `origin`, the URL the user
wrote, exactly as when the feed and its pages were fetched in one go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone


from newsetl.tasks.fetch import FetchError, Page, entry_date, fetch_page, http_client, is_url, looks_like_feed
from newsetl.tasks.records import Article, InputState, Quarantined, content_hash, stable_id

STAGE = "ingest"

# What a FeedEntry asks ingest to do.
ENTRY = "entry"  # fetch the page at `url` (a feed entry's link)
PAGE = "page"  # the user URL was a page, not a feed: `page` holds it, fetched already
FAILED = "failed"  # quarantine `url` with `error`
UNCHANGED = "unchanged"  # the URL answered 304, or the same content as stored: count it, read nothing
DONE = "done"  # nothing to read: only `completes` to store (a feed without entries)
ACTIONS = (ENTRY, PAGE, FAILED, UNCHANGED, DONE)


@dataclass(frozen=True)
class FeedEntry:
    """One unit of URL work after its user URL was fetched (see the module doc).

    `origin` is the URL the user configured that led here; `source` the name of its feed
    (or of the sources file); `completes` the validators of `origin`, to store once this
    entry's batch is stored (set on the last entry of a feed only)."""

    url: str
    origin: str
    action: str = ENTRY
    title: str | None = None
    published: datetime | None = None
    source: str | None = None
    page: Page | None = None
    error: str | None = None
    completes: InputState | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown feed entry action {self.action!r}")


@dataclass(frozen=True)
class FetchResult:
    """What fetching a batch of entries gave: new articles, failures, URL states to store
    once the articles are, and how many URLs were unchanged."""

    articles: list[Article]
    quarantined: list[Quarantined]
    states: list[InputState]
    unchanged: int


def expand_url(
    url: str, state: InputState | None, *, domain_of: Callable[[str], str | None], seen: set[str],
    source_name: str | None = None, allow_private: bool = False, timeout_s: float = 20.0,
    max_bytes: int = 10 * 1024 * 1024, entry_deadline_s: float | None = None,
) -> list[FeedEntry]:
    """Fetch a user-given URL (conditionally with `state`) and return what it holds, in order:
    a feed's entries (links already in `seen` left out, `seen` updated), the page itself, or
    one FAILED/UNCHANGED entry. Never empty; the last entry carries `completes` when the URL's
    state is to be stored. Only the feed document is held, never its pages."""
    with http_client([url], allow_private, timeout_s) as client:
        try:
            page = fetch_page(client, url, state, max_bytes, entry_deadline_s)
        except FetchError as exc:
            return [FeedEntry(url, url, FAILED, error=str(exc))]
    if page is None:
        return [FeedEntry(url, url, UNCHANGED)]
    if not looks_like_feed(page):
        if state and state.content_hash == page.state.content_hash:  # same bytes as stored: new validators only
            return [FeedEntry(url, url, UNCHANGED, completes=page.state)]
        return [FeedEntry(url, url, PAGE, source=source_name, page=page, completes=page.state)]
    import feedparser  # here, not at the top: a run without feeds need not pay its import

    feed = feedparser.parse(page.body)
    if feed.bozo and not feed.entries:
        # No validators stored: the next run reads it again.
        return [FeedEntry(url, url, FAILED, error=f"not a readable feed: {feed.get('bozo_exception')}")]
    name = source_name or feed.feed.get("title") or domain_of(url)
    entries: list[FeedEntry] = []
    for item in feed.entries:
        link = item.get("link")
        if not link:
            continue
        if not is_url(link):
            entries.append(FeedEntry(str(link), url, FAILED, error=f"unsupported URL scheme in a feed entry of {url}"))
        elif link not in seen:  # an entry in two feeds (or twice in one) is fetched once per run
            seen.add(link)
            entries.append(FeedEntry(link, url, ENTRY, title=item.get("title"), published=entry_date(item), source=name))
    last = entries.pop() if entries else FeedEntry(url, url, DONE)
    return [*entries, replace(last, completes=page.state)]


def fetch_entries(
    entries: list[FeedEntry], domain_of: Callable[[str], str | None], decode: Callable[[bytes, str | None], str],
    stored: Callable[[list[str]], set[str]] = lambda urls: set(), *, allow_private: bool = False,
    timeout_s: float = 20.0, max_bytes: int = 10 * 1024 * 1024, entry_deadline_s: float | None = None,
) -> FetchResult:
    """Fetch the pages of a batch of entries (one request at a time, each within
    `entry_deadline_s`) and turn them into articles; see the module doc.

    `stored(urls)` says which entry links are stored already (not fetched again);
    `decode(bytes, charset)` turns a page into text (ValueError when it cannot);
    `domain_of(url)` names sources without a feed name. Links and redirects reach internal
    addresses only on the host and port of an entry's `origin`, or with `allow_private`."""
    articles: list[Article] = []
    bad: list[Quarantined] = []
    states: list[InputState] = []
    unchanged = 0
    already = stored([e.url for e in entries if e.action == ENTRY])
    with http_client(sorted({e.origin for e in entries}), allow_private, timeout_s) as client:
        for entry in entries:
            if entry.completes:
                states.append(entry.completes)
            if entry.action == FAILED:
                bad.append(Quarantined(entry.url, STAGE, entry.error or "fetch failed"))
                continue
            if entry.action == UNCHANGED or (entry.action == ENTRY and entry.url in already):
                unchanged += 1
                continue
            if entry.action == DONE:
                continue
            page = entry.page
            if page is None:
                try:
                    page = fetch_page(client, entry.url, None, max_bytes, entry_deadline_s)
                except FetchError as exc:
                    bad.append(Quarantined(entry.url, STAGE, str(exc)))
                    continue
                states.append(page.state)
            try:
                text = decode(page.body, page.charset)
            except ValueError as exc:
                bad.append(Quarantined(entry.url, STAGE, str(exc), content_hash=page.state.content_hash))
                continue
            articles.append(Article(
                doc_id=stable_id(entry.url), source_uri=entry.url, source=entry.source or domain_of(page.final_url) or "web",
                raw_text=text, content_hash=content_hash(page.body), input_format="html",
                fetched_at=datetime.now(timezone.utc), url=page.final_url, title=entry.title,
                published_at=entry.published, published_from="feed" if entry.published else None,
            ))
    return FetchResult(articles, bad, states, unchanged)


def fetch_sources(
    urls: list[str], known: dict[str, InputState], domain_of: Callable, decode: Callable,
    stored: Callable[[list[str]], set[str]] = lambda urls: set(), timeout_s: float = 20.0,
    max_bytes: int = 10 * 1024 * 1024, source_names: dict[str, str] | None = None,
    allow_private: bool = False, entry_deadline_s: float | None = None,
) -> FetchResult:
    """Expand every URL and fetch all their entries in one go: every page held at once.

    For a handful of URLs (tests, a one-off fetch); the pipeline streams entries in
    batches instead (`expand_url`, then `fetch_entries` per batch)."""
    seen: set[str] = set()
    entries = [
        entry for url in urls for entry in expand_url(
            url, known.get(url), domain_of=domain_of, seen=seen, source_name=(source_names or {}).get(url),
            allow_private=allow_private, timeout_s=timeout_s, max_bytes=max_bytes, entry_deadline_s=entry_deadline_s,
        )
    ]
    return fetch_entries(
        entries, domain_of, decode, stored, allow_private=allow_private, timeout_s=timeout_s,
        max_bytes=max_bytes, entry_deadline_s=entry_deadline_s,
    )
