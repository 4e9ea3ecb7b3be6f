"""Metadata you can trust: url, source, title, site name, publication date and authors.

`extract_metadata(articles)` runs before language detection and cleanup. It reads what each
HTML page declares about itself (html_meta), and fills

* `url`: the input's URL, else the page's canonical / og:url, absolute and normalised (urls);
* `source`, `source_from`: the URL's registrable domain whenever a URL is known, unless the
  input or a sources file named the source; the folder name only as the last resort;
* `title`, `site_name`: the headline without site-name parts or breadcrumbs, chosen among the
  page's candidates by a small learned ranker (titles, title_ranker);
* `published_at`, `published_precision`, `published_from` (dates);
* `authors` (people only: structured data, author tags, else the visible byline) and `credits` (agencies, desks, the site: they feed `attribution`).

The input's own fields win. Cleanup keeps a title and a date that are set, and fills what is
still missing from its own reading (the extractor's metadata, a dateline);
`settle_metadata(articles)` runs after it to check those dates the same way and to put the
declared credits into `attribution` when cleanup found none.
"""

from __future__ import annotations

import time
from datetime import datetime
from collections import Counter
from dataclasses import replace

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks.metadata.authors import declared_authors, sort_authors
from newsetl.tasks.metadata.dates import EARLIEST, FUTURE_SLACK, URL_AGREEMENT, FoundDate, choose_date, compact_url_check, declared_dates, htmldate_guess, url_date
from newsetl.tasks.metadata.html_meta import PageMeta, read_page_meta
from newsetl.tasks.metadata.titles import page_title, site_name
from newsetl.tasks.metadata.urls import declared_url, normalise_url, registrable_domain
from newsetl.tasks.records import Article, StageOutput

VERSION = "metadata-9"  # 2: learned title ranker, visible bylines; 3: XHTML pages with an XML declaration read, htmldate-filled days dropped; 4: titles the page displays count for the ranker; 5: a headline another source repeats with a section name after it is confirmed by it; 6: compact URL dates (…-080115) cross-check the page date, header-link symbols (¶) leave titles; 7: one headline behind two unrelated kickers is that headline; 8: the unspaced bars of CJK sites (｜ 丨 ㅣ, _ between CJK characters) separate a site name; 9: a <title> ends at the first tag it swallowed, candidates over 400 characters are not headlines
STAGE = "metadata"


def extract_metadata(articles: list[Article]) -> list[Article]:
    """Return the articles with url, source, source_from, title, site_name, published_at,
    published_precision, published_from, authors and credits filled (see the module doc)."""
    return [article_metadata(article) for article in articles]


def article_metadata(article: Article) -> Article:
    """Fill one article's metadata from its input fields and, for HTML, what the page declares."""
    page = read_page_meta(article.raw_text) if article.input_format == "html" else PageMeta()
    url = normalise_url(article.url) or declared_url(page)
    domain = registrable_domain(url)
    source, source_from = _source(article, url, domain)
    site = site_name(page)
    title = article.title or page_title(page, site, domain)
    people, credits = sort_authors(declared_authors(page), site, domain)
    # The input's (or feed's) date wins; one outside the plausible range is no date at all.
    dated = _input_date(article) or _page_date(article, page, url)
    return replace(
        article,
        url=url,
        source=source,
        source_from=source_from,
        site_name=site,
        title=title,
        published_at=dated.value if dated else None,
        published_precision=dated.precision if dated else None,
        published_from=_date_origin(article, dated),
        authors=tuple(people),
        credits=tuple(credits),
        versions={**article.versions, "metadata": VERSION},
    )


def _source(article: Article, url: str | None, domain: str | None) -> tuple[str, str]:
    """Keep a source the input or a sources file named; otherwise the URL's domain; else the folder."""
    given = article.source_from
    if given in ("input", "sources_file"):
        return article.source, given
    if given is None:  # fetched or WARC records: a feed's title, a sources-file name, or the domain
        if domain and article.source == registrable_domain(article.url or article.source_uri):
            return domain, "url"
        if article.source and article.source not in ("web", "warc"):
            return article.source, "feed"
    if domain:
        return domain, "url"
    return article.source, given or "folder"


def _input_date(article: Article) -> FoundDate | None:
    """The input's (or feed's) own date, when it is in the plausible range."""
    value = article.published_at
    if value is None or not EARLIEST <= value <= article.fetched_at + FUTURE_SLACK:
        return None
    return FoundDate(value, "day", "input")


def _date_origin(article: Article, dated: FoundDate | None) -> str | None:
    """`published_from` for a chosen date: the input's own label ("input", "feed") for its date."""
    if dated is None:
        return None
    return (article.published_from or "input") if dated.origin == "input" else dated.origin


def _page_date(article: Article, page: PageMeta, url: str | None) -> FoundDate | None:
    candidates = declared_dates(page)
    html = article.input_format == "html"
    # A compact URL date ("…-080108") may fill a missing day only once htmldate had its say:
    # its reading of the markup is checked against the URL, not replaced by it.
    chosen = choose_date(candidates, url, article.fetched_at, compact_fill=not html)
    if (chosen is None or chosen.precision != "day") and html:
        guess = htmldate_guess(article.raw_text, url)
        # htmldate fills the parts a date lacks — with the 1st and January, or (through
        # dateutil) with today's day and month: a "day" inside the year or month the page
        # already gave is that same coarse date filled in, and a January 1 may be a year alone
        # (or a copyright year).
        filled = guess is not None and (
            (chosen is not None and _within(guess.value, chosen))
            or (guess.value.day == 1 and (chosen is not None or guess.value.month == 1))
        )
        if guess is not None and not filled:
            candidates = [*candidates, guess]
        chosen = choose_date(candidates, url, article.fetched_at) or chosen
    return chosen


def _within(value: datetime, coarse: FoundDate) -> bool:
    """Whether `value` falls in the month or year a coarse date names."""
    if coarse.precision == "month":
        return (value.year, value.month) == (coarse.value.year, coarse.value.month)
    return coarse.precision == "year" and value.year == coarse.value.year


def settle_metadata(articles: list[Article]) -> list[Article]:
    """After cleanup: check the dates cleanup added (dateline or the extractor's metadata) like
    the page's own (1990 to the fetch time, the URL's day), drop a January 1 midnight from
    the extractor (a year read as a day), set their precision, and fill `attribution` from
    the declared credits when cleanup found none."""
    out = []
    for article in articles:
        value, source, precision = article.published_at, article.published_from, article.published_precision
        if value is not None and precision is None:  # cleanup's date: the metadata stage found none
            from_url = url_date(article.url, compact=False)
            year_only = source == "html_metadata" and (value.month, value.day, value.hour, value.minute) == (1, 1, 0, 0)
            if year_only or not EARLIEST <= value <= article.fetched_at + FUTURE_SLACK:
                value, source = None, None
            elif from_url is not None and abs(value - from_url) > URL_AGREEMENT:
                value, source = from_url, "url"
            elif from_url is None and (compact := compact_url_check(value, article.url, article.fetched_at + FUTURE_SLACK)):
                value, source = compact, "url"
            precision = "day" if value is not None else None
        attribution = article.attribution or ("; ".join(article.credits) if article.credits else None)
        out.append(replace(article, published_at=value, published_from=source, published_precision=precision, attribution=attribution))
    return out


@task(name="metadata", cache_policy=NO_CACHE, persist_result=False)
def extract_metadata_task(articles: list[Article]) -> StageOutput:
    """Prefect task: `extract_metadata` over one batch, failures quarantined."""
    started = time.perf_counter()
    with stage_times.timed("metadata"):
        done, failed = isolate_failures(extract_metadata, articles, STAGE)
    sources = Counter(a.source_from for a in done)
    get_run_logger().info(
        "metadata of %d articles in %.1f s: %d with url, %d titles, %d dates, %d with authors; source from %s",
        len(done), time.perf_counter() - started, sum(1 for a in done if a.url), sum(1 for a in done if a.title),
        sum(1 for a in done if a.published_at), sum(1 for a in done if a.authors), dict(sources),
    )
    return StageOutput(done, failed)


@task(name="metadata-settle", cache_policy=NO_CACHE, persist_result=False)
def settle_metadata_task(cleaned: StageOutput) -> StageOutput:
    """Prefect task: `settle_metadata` over a cleaned batch, failures quarantined."""
    with stage_times.timed("metadata"):
        done, failed = isolate_failures(settle_metadata, cleaned.articles, STAGE)
    return cleaned.then(done, failed)
