"""Metadata from invented pages: url and source, site-name titles, dates and their precision,
the URL-date cross-check, people-only authors."""

import json
from dataclasses import replace
from datetime import datetime, timezone

from newsetl.tasks.metadata import extract_metadata, settle_metadata
from newsetl.tasks.metadata.authors import classify_name
from newsetl.tasks.metadata.urls import normalise_url
from newsetl.tasks.records import Article, content_hash

FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
BODY = "<p>The council voted on Tuesday to rebuild the old bridge over the river before winter.</p>"


def page(head: str = "", body: str = BODY, **fields) -> Article:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    base = dict(
        doc_id="d1", source_uri="/crawl/mixed-sites/page.html", source="mixed-sites", raw_text=html,
        content_hash=content_hash(html), input_format="html", fetched_at=FETCHED, source_from="folder",
    )
    return Article(**{**base, **fields})


def one(article: Article) -> Article:
    return settle_metadata(extract_metadata([article]))[0]


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# --- url and source -------------------------------------------------------------------------

def test_a_file_without_url_takes_the_canonical_address_and_its_domain_as_source():
    got = one(page('<link rel="canonical" href="https://news.valleygazette.co.uk/local/bridge-vote?utm_source=rss&id=7#comments">'))
    assert got.url == "https://news.valleygazette.co.uk/local/bridge-vote?id=7"
    assert (got.source, got.source_from) == ("valleygazette.co.uk", "url")


def test_og_url_is_used_when_there_is_no_canonical_and_relative_addresses_need_a_base():
    assert one(page('<meta property="og:url" content="https://example.org/a/b">')).url == "https://example.org/a/b"
    assert one(page('<base href="https://example.org/news/"><link rel="canonical" href="bridge-vote">')).url == "https://example.org/news/bridge-vote"
    # A relative address with nothing to resolve it against is no address.
    got = one(page('<link rel="canonical" href="/news/bridge-vote">'))
    assert got.url is None and (got.source, got.source_from) == ("mixed-sites", "folder")


def test_the_inputs_own_url_and_named_source_win_over_the_page():
    head = '<link rel="canonical" href="https://other.example.com/x">'
    got = one(page(head, url="https://www.riverpost.com/2024/05/03/bridge?fbclid=abc"))
    assert got.url == "https://www.riverpost.com/2024/05/03/bridge"
    assert got.source == "riverpost.com"
    named = one(page(head, source="River Post", source_from="sources_file"))
    assert (named.source, named.source_from) == ("River Post", "sources_file")


def test_a_syndicated_copy_keeps_its_own_address_not_the_originals():
    head = ('<link rel="canonical" href="https://www.originalpaper.de/politik/article1/bridge.html">'
            '<meta property="og:url" content="https://www.regionalpaper.de/politik/article1/bridge.html">')
    got = one(page(head))
    assert got.url == "https://www.regionalpaper.de/politik/article1/bridge.html"
    assert got.source == "regionalpaper.de"


def test_a_home_page_canonical_loses_to_an_article_address():
    head = '<link rel="canonical" href="https://example.net/"><meta property="og:url" content="https://example.net/2024/bridge">'
    assert one(page(head)).url == "https://example.net/2024/bridge"


def test_normalise_url_drops_fragments_and_tracking_but_keeps_real_parameters():
    assert normalise_url("HTTPS://Example.COM/a?page=2&utm_medium=email&gclid=x#top") == "https://example.com/a?page=2"
    assert normalise_url("mailto:desk@example.com") is None
    assert normalise_url("https://example.com/f%C3%BCrs") == normalise_url("https://example.com/fürs")


# --- titles ----------------------------------------------------------------------------------

def test_site_name_suffixes_and_prefixes_are_removed_and_kept_as_site_name():
    got = one(page('<title>Bridge to be rebuilt before winter | The Valley Gazette</title>'
                   '<meta property="og:site_name" content="The Valley Gazette">'))
    assert (got.title, got.site_name) == ("Bridge to be rebuilt before winter", "The Valley Gazette")
    got = one(page('<meta property="og:title" content="Valley Gazette - Bridge to be rebuilt before winter">'
                   '<meta property="og:site_name" content="Valley Gazette">'))
    assert got.title == "Bridge to be rebuilt before winter"


def test_a_title_that_is_only_the_site_name_gives_way_to_the_h1():
    got = one(page('<title>Winona Post</title><meta property="og:site_name" content="Winona Post">',
                   body="<h1>Council votes to rebuild the bridge</h1>" + BODY))
    assert got.title == "Council votes to rebuild the bridge"


def test_breadcrumb_titles_keep_their_last_crumb():
    got = one(page("<title>KTV3 &gt; News &gt; Local News &gt; Council votes to rebuild the bridge</title>"))
    assert got.title == "Council votes to rebuild the bridge"


def test_structured_headline_comes_first_and_a_dash_inside_a_headline_stays():
    head = ld({"@type": "NewsArticle", "headline": "Bridge vote - what it means for commuters"}) + '<title>Something else | Gazette</title>'
    assert one(page(head)).title == "Bridge vote - what it means for commuters"


def test_a_title_from_the_input_wins():
    assert one(page("<title>Page title | Site</title>", title="Input title")).title == "Input title"


# --- dates -----------------------------------------------------------------------------------

def test_a_year_alone_is_never_turned_into_a_day():
    got = one(page('<meta property="article:published_time" content="2019">'))
    assert (got.published_at, got.published_precision) == (datetime(2019, 1, 1, tzinfo=timezone.utc), "year")
    month = one(page('<meta name="date" content="2019-07">'))
    assert month.published_precision == "month"


def test_a_january_first_midnight_added_after_the_metadata_stage_is_dropped():
    # What an extractor's year-only guess looks like once cleanup has filled it in.
    stage = extract_metadata([page()])[0]
    assert stage.published_at is None
    guessed = replace(stage, published_at=datetime(2008, 1, 1, tzinfo=timezone.utc), published_from="html_metadata")
    settled = settle_metadata([guessed])[0]
    assert (settled.published_at, settled.published_from, settled.published_precision) == (None, None, None)
    dateline = replace(stage, published_at=datetime(2008, 3, 4, 9, 30, tzinfo=timezone.utc), published_from="dateline")
    assert settle_metadata([dateline])[0].published_precision == "day"


def test_structured_data_date_with_time_zone_is_stored_in_utc():
    got = one(page(ld({"@type": "NewsArticle", "datePublished": "2024-05-03T01:30:00+02:00"})))
    assert got.published_at == datetime(2024, 5, 2, 23, 30, tzinfo=timezone.utc)
    assert (got.published_from, got.published_precision) == ("structured_data", "day")


def test_the_urls_date_overrules_a_page_date_that_disagrees_with_it():
    head = '<meta property="article:published_time" content="2008-09-15T10:00:00Z">'
    got = one(page(head, url="https://www.example.com/news/2008/01/08/bridge-vote"))
    assert (got.published_at, got.published_from) == (datetime(2008, 1, 8, tzinfo=timezone.utc), "url")
    agreeing = one(page('<meta property="article:published_time" content="2008-01-08T10:00:00Z">', url="https://www.example.com/news/2008/01/08/bridge-vote"))
    assert (agreeing.published_at.hour, agreeing.published_from) == (10, "html_metadata")


def test_dates_after_the_fetch_or_before_1990_are_not_publication_dates():
    assert one(page('<meta property="article:published_time" content="2031-01-05T10:00:00Z">')).published_at is None
    assert one(page('<meta property="article:published_time" content="1970-01-01T00:00:00Z">')).published_at is None
    old_input = page(published_at=datetime(1, 1, 1, tzinfo=timezone.utc), published_from="input")
    assert one(old_input).published_at is None


def test_the_inputs_date_wins():
    head = '<meta property="article:published_time" content="2024-05-03T10:00:00Z">'
    got = one(page(head, published_at=datetime(2024, 5, 1, tzinfo=timezone.utc), published_from="input"))
    assert (got.published_at.day, got.published_from, got.published_precision) == (1, "input", "day")


# --- authors ---------------------------------------------------------------------------------

def test_only_people_are_authors_organisations_go_to_attribution():
    head = ld({"@type": "NewsArticle", "author": [
        {"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "givenName": "Bo", "familyName": "Carter"},
        {"@type": "Organization", "name": "Reuters"},
    ]})
    got = one(page(head))
    assert got.authors == ("Ann Lee", "Bo Carter")
    assert got.attribution == "Reuters"


def test_author_meta_strings_are_split_and_cleaned():
    got = one(page('<meta name="author" content="By Ann Lee and Chus del Pino (cdp)">'))
    assert got.authors == ("Ann Lee", "Chus del Pino")
    got = one(page('<meta name="author" content="Jill Kubala, MS, RD">'))
    assert (got.authors, got.attribution) == (("Jill Kubala",), None)


def test_dates_domains_and_cms_defaults_are_not_authors():
    for value in ("Dec", "Friday; January", "Www Medianotions De", "Super User", "admin", "desk@example.com", "Name *"):
        got = one(page(f'<meta name="author" content="{value}">'))
        assert got.authors == (), value
    assert classify_name("Gazette Staff") == "attribution"
    assert classify_name("AFP") == "attribution"
    assert classify_name("valleygazette.com") == "attribution"
    assert classify_name("배윤경") == "person"


def test_eight_digits_in_a_url_do_not_overrule_the_pages_date():
    head = '<meta property="article:published_time" content="2024-05-03T10:00:00Z">'
    got = one(page(head, url="https://www.example.com/news/article-20110512.html"))
    assert (got.published_at.date().isoformat(), got.published_from) == ("2024-05-03", "html_metadata")
    alone = one(page(url="https://www.example.com/news/20110512-bridge.html"))
    assert (alone.published_at, alone.published_from) == (datetime(2011, 5, 12, tzinfo=timezone.utc), "url")


# --- compact dates in the URL ("…-080115"): a cross-check, not a source to trust blindly ----------

def test_a_page_date_months_after_the_compact_date_in_its_url_gives_way_to_the_url():
    # The issue's case: the URL says 15 January 2008, the page's metadata a revision in September.
    head = '<meta property="article:published_time" content="2008-09-15T10:00:00Z">'
    got = one(page(head, url="https://www.example.com/news/bridge-vote-080115.html"))
    assert (got.published_at, got.published_from) == (datetime(2008, 1, 15, tzinfo=timezone.utc), "url")
    # Eight digits read the same way, day first or year first.
    got = one(page(head, url="https://www.example.com/news/15012008/bridge-vote"))
    assert (got.published_at, got.published_from) == (datetime(2008, 1, 15, tzinfo=timezone.utc), "url")
    # A page without a date of its own takes the URL's when the digits read one way only
    # (081230: 30 December 2008; as ddmmyy or mmddyy it would be in 2030).
    alone = one(page(url="https://www.example.com/news/bridge-vote-081230.html"))
    assert (alone.published_at, alone.published_from) == (datetime(2008, 12, 30, tzinfo=timezone.utc), "url")
    assert one(page(url="https://www.example.com/news/bridge-vote-080115.html")).published_at is None  # also 8 Jan / 1 Aug 2015


def test_an_id_that_reads_as_a_date_leaves_a_sound_page_date_alone():
    head = '<meta property="article:published_time" content="2017-02-08T10:00:00Z">'
    for url in (
        "https://www.example.com/music/migos-night-in-the-studio-123122/",  # 31 Dec 2022: after the page's date
        "https://www.example.com/archives/000225.html",  # 25 Feb 2000: years before it
        "https://www.example.com/story/a170115b/bridge",  # digits glued to letters are no date
    ):
        got = one(page(head, url=url))
        assert (got.published_at.date().isoformat(), got.published_from) == ("2017-02-08", "html_metadata"), url
    # A page date one of the readings confirms is kept with its time.
    got = one(page('<meta property="article:published_time" content="2008-01-08T10:30:00Z">', url="https://www.example.com/news/bridge-080108.html"))
    assert (got.published_at.hour, got.published_from) == (10, "html_metadata")


def test_an_ambiguous_compact_date_changes_nothing_and_fills_nothing():
    # 080108 is 8 January 2008 (yymmdd, ddmmyy) and 1 August 2008 (mmddyy): both before the
    # page's October date, so the URL cannot say which day the page was published.
    head = '<meta property="article:published_time" content="2008-10-20T10:00:00Z">'
    got = one(page(head, url="https://www.example.com/news/bridge-vote-080108.html"))
    assert (got.published_at.date().isoformat(), got.published_from) == ("2008-10-20", "html_metadata")
    assert one(page(url="https://www.example.com/news/bridge-vote-080108.html")).published_at is None
    # Fetched in January 2008 (a WARC record's date), 1 August is still to come: one reading left.
    early = one(page(url="https://www.example.com/news/bridge-vote-080108.html", fetched_at=datetime(2008, 1, 20, tzinfo=timezone.utc)))
    assert (early.published_at, early.published_from) == (datetime(2008, 1, 8, tzinfo=timezone.utc), "url")
    # Six digits that are a year and a month (a magazine issue) are no day: 200405 is May 2004,
    # not 20 April 2005 (ddmmyy), though that is the only day reading before a 2008 fetch.
    issue = one(page(url="https://www.example.com/magazine/200405/letters.asp", fetched_at=datetime(2008, 1, 1, tzinfo=timezone.utc)))
    assert issue.published_at is None
