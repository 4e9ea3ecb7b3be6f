"""Per-source chrome learning: a site's recurring lines are learnt from its other pages."""

from dataclasses import replace
from datetime import datetime, timezone

from newsetl.tasks.cleanup import clean_articles
from newsetl.tasks.records import Article, stable_id
from newsetl.tasks.source_chrome import SourceHistory, learned_chrome, page_line_keys
from tests.site_fixture import BODIES, SITE_CHROME_END, SITE_CHROME_MID, SITE_CHROME_TOP, site_page

SITE_CHROME = [*SITE_CHROME_TOP, SITE_CHROME_MID, *SITE_CHROME_END]


def page(index: int, source: str = "gazette") -> Article:
    text = site_page(index)
    return Article(
        doc_id=stable_id(source, str(index)), source_uri=f"{source}/{index}", source=source, raw_text=text,
        content_hash=str(index), input_format="text", fetched_at=datetime.now(timezone.utc), language="en",
    )


def kept_lines(article: Article) -> list[str]:
    return article.clean_text.split("\n\n")


def test_generic_rules_alone_keep_the_site_chrome():
    [alone] = clean_articles([page(3)])
    assert [line for line in SITE_CHROME if line in kept_lines(alone)], "fixture must need per-source learning"


def test_chrome_shared_by_a_sites_pages_is_removed_from_a_new_page():
    history_pages = [page(i) for i in range(3)]
    history = SourceHistory(
        pages={"gazette": 3},
        line_pages={("gazette", key): sum(key in page_line_keys(p) for p in history_pages) for p in history_pages for key in page_line_keys(p)},
    )
    [new] = clean_articles([page(3)], history)
    title, paragraphs = BODIES[3]
    assert kept_lines(new) == [title, *paragraphs]
    learnt = {r.text for r in new.removed_lines if r.reason == "source_chrome"}
    assert set(SITE_CHROME) - {"Riverside Gazette"} <= learnt  # the masthead may go as navigation first


def test_pages_of_one_batch_teach_each_other():
    cleaned = clean_articles([page(i) for i in range(4)])
    for article, (title, paragraphs) in zip(cleaned, BODIES):
        assert kept_lines(article) == [title, *paragraphs]


def test_other_sources_do_not_count():
    others = [page(i, source=f"site{i}") for i in range(3)]
    chrome = learned_chrome(others + [page(3)], SourceHistory())
    assert chrome[page(3).doc_id] == frozenset()


def test_two_copies_of_an_article_keep_their_paragraphs():
    first = page(0)
    copies = [first, replace(first, doc_id="copy-1"), replace(first, doc_id="copy-2")]
    for article in clean_articles(copies):
        assert all(p in kept_lines(article) for p in BODIES[0][1])


def test_a_title_that_is_the_sites_name_on_every_page_gives_way_to_the_pages_headline():
    # A blog whose <title> is the blog's name: the metadata stage can only see one page; the
    # source's other pages show that the name is chrome, and each page keeps its headline.
    pages = [replace(page(i), title=SITE_CHROME_TOP[0]) for i in range(4)]
    cleaned = clean_articles(pages)
    assert [a.title for a in cleaned] == [title for title, _ in BODIES]


def test_a_headline_is_kept_when_the_sites_other_pages_do_not_repeat_it():
    pages = [replace(page(i), title=BODIES[i][0]) for i in range(4)]
    assert [a.title for a in clean_articles(pages)] == [title for title, _ in BODIES]


def test_a_title_three_pages_of_a_source_share_gives_way_to_each_pages_headline():
    # The blog's name only in <title> (never a visible line): three posts with one title.
    pages = [replace(page(i), title="Musings of a Valley Reporter") for i in range(3)]
    assert [a.title for a in clean_articles(pages)] == [title for title, _ in BODIES[:3]]


def test_blog_posts_titled_with_the_blogs_name_get_the_headline_their_text_starts_with():
    posts = [
        ("Fog delays the morning ferries again", "The first two ferries of the day were held in port on Friday as thick fog settled over the harbour mouth for hours."),
        ("New bakery opens beside the old mill", "A family bakery opened its doors beside the old mill on Saturday, selling bread baked in a wood-fired oven built last spring."),
        ("School choir wins the regional contest", "The school choir took first place at the regional contest on Sunday, singing three songs its members had arranged themselves."),
    ]
    pages = [
        replace(
            page(i), input_format="html", title="Valley Musings",
            raw_text=f"<html><head><title>Valley Musings</title></head><body><article><h2>{headline}</h2><p>{text}</p>"
                     f"<p>{text.replace('.', ', and more is expected next week.')}</p></article></body></html>",
        )
        for i, (headline, text) in enumerate(posts)
    ]
    assert [a.title for a in clean_articles(pages)] == [headline for headline, _ in posts]
