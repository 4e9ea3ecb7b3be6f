"""Authors from invented pages: bylines seen on the page (in several languages) when the
metadata names nobody, teaser bylines left alone, people typed in structured data."""

import json
from datetime import datetime, timezone

from newsetl.tasks.metadata import extract_metadata, settle_metadata
from newsetl.tasks.metadata.authors import visible_byline
from newsetl.tasks.records import Article, content_hash

FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
STORY = "<p>The council voted on Tuesday to rebuild the old bridge over the river before winter.</p>"


def authored(body: str, head: str = "") -> Article:
    html = f"<html><head>{head}</head><body><h1>Council votes to rebuild the bridge</h1>{body}</body></html>"
    article = Article(
        doc_id="d1", source_uri="/crawl/mixed/page.html", source="mixed", raw_text=html, content_hash=content_hash(html),
        input_format="html", fetched_at=FETCHED, source_from="folder",
    )
    return settle_metadata(extract_metadata([article]))[0]


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_a_visible_byline_names_the_authors_when_the_metadata_does_not():
    assert authored("<div>Von: Hanna BERGER, Mats Olsson</div>" + STORY).authors == ("Hanna BERGER", "Mats Olsson")
    assert authored("<p>By Ann Lee and Bo Carter</p>" + STORY).authors == ("Ann Lee", "Bo Carter")
    assert authored("<p>Par Claire Dubois</p>" + STORY).authors == ("Claire Dubois",)
    assert authored("<p>di Giulia Neri</p>" + STORY).authors == ("Giulia Neri",)
    assert authored('<div><span>Autorin/Autor</span> <a href="/a/1">Petra Novak</a></div>' + STORY).authors == ("Petra Novak",)


def test_a_place_or_a_role_after_the_byline_is_not_an_author():
    assert authored("<p>Von Jonas Keller, Frankfurt</p>" + STORY).authors == ("Jonas Keller",)
    assert authored("<p>By Ann Lee, Senior reporter</p>" + STORY).authors == ("Ann Lee",)


def test_a_byline_inside_a_longer_element_stops_at_the_date():
    body = '<div class="article-author">Ressort Wirtschaft von Lena Vogt 05. November 2024 15:36 Uhr 3 Min</div>' + STORY
    assert authored(body).authors == ("Lena Vogt",)
    assert visible_byline("Ressort Wirtschaft von Lena Vogt 05. November 2024") == "von Lena Vogt"


def test_only_the_first_visible_byline_is_the_articles_later_ones_head_teasers():
    body = STORY + "<h3>More stories</h3><p>By Ann Lee</p><p>Story two</p><p>By Bo Carter</p>"
    assert authored("<p>By Dana Fox</p>" + body).authors == ("Dana Fox",)


def test_sentences_that_open_with_a_byline_word_are_not_bylines():
    body = "<p>Von Anfang an war klar, dass die Brücke fällt.</p><p>By the end of the year the bridge will be rebuilt.</p>" + STORY
    assert authored(body).authors == ()


def test_declared_authors_win_over_visible_bylines():
    head = '<meta name="author" content="Ann Lee">'
    assert authored("<p>By Bo Carter</p>" + STORY, head).authors == ("Ann Lee",)


def test_an_agency_story_does_not_take_the_teaser_bylines_on_its_page():
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "dpa"}})
    got = authored(STORY + "<p>Von Jonas Keller</p><p>Von Petra Novak</p>", head)
    assert got.authors == () and got.attribution == "dpa"


def test_a_person_typed_in_structured_data_may_be_written_in_lower_case():
    head = ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "viktor hedlund"}})
    assert authored(STORY, head).authors == ("viktor hedlund",)
    # Without the type, lower-case words are a form label or a sentence, not a name.
    assert authored(STORY, '<meta name="author" content="please enter your name">').authors == ()


def test_labels_places_phrases_and_dates_on_a_byline_line_are_not_names():
    assert authored("<p>By Release Date</p>" + STORY).authors == ()
    assert authored("<p>Text Only Version</p>" + STORY).authors == ()  # "Text" needs its colon: "Text: Ann Lee"
    assert authored("<p>Text: Ann Lee</p>" + STORY).authors == ("Ann Lee",)
    assert authored("<p>Von Willebrand's Disease:</p>" + STORY).authors == ()
    assert authored("<p>By Nathan Wells March 25, 2015</p>" + STORY).authors == ("Nathan Wells",)
    assert authored("<p>By Sara Moon • Nov 6, 2012 • Chicago</p>" + STORY).authors == ("Sara Moon",)
    assert authored("<p>By The Harris Law Firm</p>" + STORY).authors == ()


def test_profile_links_and_job_titles_in_author_tags_are_not_people():
    head = '<meta name="author" content="Dana Whitfield, View Profile, Community Manager">'
    assert authored(STORY, head).authors == ("Dana Whitfield",)
    assert authored(STORY, '<meta name="author" content="Senior Product Manager">').authors == ()
