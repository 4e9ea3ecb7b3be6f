"""Titles from invented pages: the learned ranker among a page's candidate headlines, and the
site parts (dates, spelled-out site names) removed before it chooses."""

import json

from newsetl.tasks.metadata import extract_metadata
from newsetl.tasks.metadata.html_meta import read_page_meta
from newsetl.tasks.metadata.title_ranker import WEIGHTS_FILE, best_title, candidate_features
from newsetl.tasks.metadata.titles import title_candidates
from newsetl.tasks.records import Article, content_hash
from datetime import datetime, timezone

FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def title_of(head: str, body: str = "<p>The council voted to rebuild the old bridge before winter.</p>") -> str | None:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    article = Article(
        doc_id="d1", source_uri="/crawl/mixed/page.html", source="mixed", raw_text=html, content_hash=content_hash(html),
        input_format="html", fetched_at=FETCHED, source_from="folder",
    )
    return extract_metadata([article])[0].title


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_the_headline_the_structured_data_og_title_and_h1_agree_on_beats_a_rewritten_title_tag():
    head = (ld({"@type": "NewsArticle", "headline": "Council votes to rebuild the river bridge"})
            + '<meta property="og:title" content="Council votes to rebuild the river bridge">'
            + "<title>River bridge: everything you need to know about the council vote - Valley Post</title>")
    assert title_of(head, "<h1>Council votes to rebuild the river bridge</h1><p>Text.</p>") == "Council votes to rebuild the river bridge"


def test_a_title_tag_alone_still_gives_the_headline_without_the_site():
    assert title_of("<title>Council votes to rebuild the river bridge | Valley Post</title>"
                    '<meta property="og:site_name" content="Valley Post">') == "Council votes to rebuild the river bridge"


def test_a_date_after_the_headline_is_a_site_part_not_the_headline():
    assert title_of("<title>Council votes to rebuild the river bridge | VP | 28.04.2023</title>"
                    '<meta property="og:site_name" content="VP">') == "Council votes to rebuild the river bridge"


def test_site_names_behind_the_bars_cjk_sites_use_are_not_part_of_the_title():
    # Korean sites write the Hangul letter "ㅣ" as a bar, Chinese ones "｜", "丨" or "_", unspaced.
    for title, site in [("시의회, 다리 재건 예산 통과 ㅣ 강변일보", "강변일보"), ("市议会通过大桥重建预算｜河谷日报", "河谷日报"),
                        ("市议会通过大桥重建预算丨河谷日报", "河谷日报"), ("市议会通过大桥重建预算_河谷日报", "河谷日报")]:
        assert title_of(f'<title>{title}</title><meta property="og:site_name" content="{site}">') == title.replace(site, "").strip(" ㅣ｜丨_")


def test_a_site_name_with_umlauts_matches_its_spelled_out_domain():
    head = ('<link rel="canonical" href="https://www.muenchner-bote.de/politik/bruecke">'
            '<meta property="og:title" content="Stadtrat beschließt Neubau der Brücke | Münchner Bote">')
    assert title_of(head) == "Stadtrat beschließt Neubau der Brücke"


def test_the_ranker_follows_its_weights():
    page = read_page_meta("<html><head><meta property='og:title' content='Bridge vote set for May'></head>"
                          "<body><h1>Council to vote on the bridge</h1></body></html>")
    cands = title_candidates(page, None, None)
    assert {c.text for c in cands} == {"Bridge vote set for May", "Council to vote on the bridge"}
    assert best_title(cands, {"src_h1": 1.0}).text == "Council to vote on the bridge"
    assert best_title(cands, {"src_og": 1.0}).text == "Bridge vote set for May"
    assert best_title([], {"src_og": 1.0}) is None


def test_the_shipped_weights_cover_exactly_the_features_the_ranker_computes():
    page = read_page_meta("<html><head><title>A headline here</title></head><body></body></html>")
    cands = title_candidates(page, None, None)
    shipped = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(shipped["weights"]) == set(candidate_features(cands[0], cands)) == set(shipped["features"])
    assert "licence" in shipped["metadata"] and shipped["metadata"]["seed"] is not None


def test_of_two_disagreeing_structured_headlines_the_one_the_page_displays_wins():
    head = (ld({"@type": "NewsArticle", "headline": "Bridge rebuild approved after long council debate"})
            + '<meta property="og:title" content="Council says yes to a new river bridge">')
    shown_og = '<article><header><h2><span class="kicker">Valley</span> <span class="headline">Council says yes to a new river bridge</span></h2></header><p>Text.</p></article>'
    shown_ld = '<article><header><h2 class="headline">Bridge rebuild approved after long council debate</h2></header><p>Text.</p></article>'
    assert title_of(head, shown_og) == "Council says yes to a new river bridge"
    assert title_of(head, shown_ld) == "Bridge rebuild approved after long council debate"


def test_a_title_repeated_in_a_menu_a_teaser_list_or_a_breadcrumb_is_not_displayed_as_the_headline():
    page = read_page_meta(
        "<html><head><meta property='og:title' content='Bridge vote set for May'></head><body>"
        "<nav><span>Bridge vote set for May</span></nav><ul><li><h3>Bridge vote set for May</h3></li></ul>"
        "<a href='/x'><span>Bridge vote set for May</span></a><h1>Council to vote on the bridge</h1>"
        "<p>Council to vote on the bridge</p></body></html>")
    sources = {c.text: c.sources for c in title_candidates(page, None, None)}
    assert sources == {"Bridge vote set for May": {"og"}, "Council to vote on the bridge": {"h1", "shown"}}


def test_a_headline_the_title_tag_repeats_with_a_section_name_is_confirmed_by_it():
    # og:title and twitter:title say one headline, the JSON-LD and the displayed <h1> another:
    # the displayed one wins, unless the <title> repeats the og headline followed by a section
    # or event name the site-name stripping does not know ("… | Winter Olympics 2026").
    head = (ld({"@type": "NewsArticle", "headline": "Bridge plan wins the vote"})
            + '<meta property="og:title" content="Council approves new river bridge after long debate">'
            + '<meta name="twitter:title" content="Council approves new river bridge after long debate">')
    body = "<h1><span>Bridge plan wins the vote</span></h1><p>Text.</p>"
    assert title_of(head, body) == "Bridge plan wins the vote"
    section = "<title>Council approves new river bridge after long debate | Winter Olympics 2026</title>"
    assert title_of(head + section, body) == "Council approves new river bridge after long debate"


def test_a_long_clause_after_a_separator_is_part_of_a_headline_not_a_section_name():
    page = read_page_meta(
        "<html><head><meta property='og:title' content='Bridge vote'>"
        "<title>Bridge vote - council members argue for three hours before the final decision</title></head><body></body></html>")
    cands = {c.text: c for c in title_candidates(page, None, None)}
    assert not cands["Bridge vote"].suffixed
    page = read_page_meta("<html><head><meta property='og:title' content='Bridge vote'>"
                          "<title>Bridge vote | Local Politics</title></head><body></body></html>")
    assert {c.text: c.suffixed for c in title_candidates(page, None, None)}["Bridge vote"]


def test_a_documentation_headings_permalink_symbol_is_not_part_of_the_title():
    # Sphinx and MkDocs put a header link ("¶") inside the <h1>; other generators "§", "#", "🔗".
    body = '<h1>Working with forms<a class="headerlink" href="#working-with-forms">¶</a></h1><p>Forms collect input.</p>'
    assert title_of("<title>Working with forms | Django docs</title>", body) == "Working with forms"
    assert title_of("", '<h1>Installing the client <a href="#install">#</a></h1><p>Run the installer.</p>') == "Installing the client"
    assert title_of("", '<h1>Getting started 🔗</h1><p>Read this first.</p>') == "Getting started"
    # A "#" that belongs to the name stays.
    assert title_of("", "<h1>Learning C#</h1><p>A first program.</p>") == "Learning C#"


def test_one_headline_behind_two_unrelated_kickers_is_the_headline_without_them():
    # og:title and the <h1> (an overline span, a hidden " - ", the headline span) put different
    # topic lines before the same headline: the topic lines are kickers, not part of it.
    head = ('<meta property="og:title" content="Storm over the valley: Council votes to rebuild the river bridge">'
            "<title>Storm over the valley: Council votes to rebuild the river bridge - News - Valley Post</title>")
    body = ('<h1><span class="overline">Flood damage</span><span class="sr-only"> - </span>'
            '<span class="title">Council votes to rebuild the river bridge</span></h1><p>Text.</p>')
    assert title_of(head, body) == "Council votes to rebuild the river bridge"


def test_two_wordings_of_a_headlines_opening_are_not_taken_for_kickers():
    # The parts before the colon share words: two phrasings of one headline, both kept whole.
    head = '<meta property="og:title" content="Bridge plan in the valley: What we know about the vote">'
    body = "<h1>Bridge plan wins: What we know about the vote</h1><p>Text.</p>"
    page = read_page_meta(f"<html><head>{head}</head><body>{body}</body></html>")
    assert {c.text for c in title_candidates(page, None, None)} == {
        "Bridge plan in the valley: What we know about the vote", "Bridge plan wins: What we know about the vote"}
    assert title_of(head, body) in {"Bridge plan in the valley: What we know about the vote", "Bridge plan wins: What we know about the vote"}


def test_a_title_tag_left_open_gives_the_headline_not_the_markup_it_swallowed():
    body = "<h1>Council votes to rebuild the river bridge</h1><p>" + "The council met for hours. " * 60 + "</p>"
    assert title_of("<title>Council votes to rebuild the river bridge", body) == "Council votes to rebuild the river bridge"


def test_a_candidate_far_longer_than_any_headline_is_not_the_title():
    body = "<h1>Council votes to rebuild the river bridge</h1><p>The council met for hours.</p>"
    assert title_of("<title>" + "Council meeting notes and more " * 40 + "</title>", body) == "Council votes to rebuild the river bridge"
    assert title_of("<title>" + "Council meeting notes and more " * 40 + "</title>", "<p>The council met.</p>") is None
