"""Cleanup over a batch of Articles: per-source chrome, one page at a time, never losing the batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from newsetl.tasks.cleanup.html_mode import clean_html
from newsetl.tasks.cleanup.text_mode import clean_text
from newsetl.tasks.cleanup.verdict import not_article_reason
from newsetl.tasks.language import normalise_line
from newsetl.tasks.records import Article, Quarantined
from newsetl.tasks.source_chrome import SOURCE_MIN_PAGES, SourceHistory, learned_chrome, line_key, page_line_keys

VERSION = "cleanup-line-model.v6"  # v5: XHTML pages with an XML declaration read, noscript content where it is the page; v6: the line model decides across the end-of-body cut in text mode
# Pages longer than this (characters of raw text or HTML) are quarantined, not cleaned: four
# times the largest dev page (2.0 MB of HTML, wcxb-dev), which cleans in about a second.
MAX_PAGE_CHARS = 8_000_000


def article_body(article: Article) -> str:
    """Return an article's clean text without its headline (the body paragraphs only)."""
    text = article.clean_text or ""
    if article.title and (text == article.title or text.startswith(article.title + "\n\n")):
        return text[len(article.title) :].lstrip("\n")
    return text


def clean_articles(
    articles: list[Article], history: SourceHistory | None = None, page_keys: dict[str, frozenset[str]] | None = None
) -> list[Article]:
    """Return the articles with clean_text, removed_lines, title, byline, attribution and flags set.

    `history` is what storage knows of the batch's sources (pages and line counts); the
    batch's own pages count too, so per-source chrome is learnt even without storage.
    `page_keys` are the articles' `page_line_keys` when the caller computed them already.
    """
    keys = page_keys if page_keys is not None else {a.doc_id: page_line_keys(a) for a in articles}
    chrome = learned_chrome(articles, history or SourceHistory(), keys)
    shared = shared_titles(articles)
    return [_clean_article(article, chrome[article.doc_id], keys[article.doc_id], article.doc_id in shared) for article in articles]


def clean_batch(
    articles: list[Article], history: SourceHistory | None = None, page_keys: dict[str, frozenset[str]] | None = None
) -> tuple[list[Article], list[Quarantined]]:
    """`clean_articles`, page by page: returns (the cleaned articles, a `Quarantined` with
    the reason for each page that could not be cleaned). Never raises for one page."""
    keys = dict(page_keys or {})
    done: list[Article] = []
    failed: list[Quarantined] = []
    for article in articles:
        if article.doc_id not in keys:
            try:
                keys[article.doc_id] = page_line_keys(article)
            except Exception:  # noqa: BLE001 - no per-source learning for this page, still cleaned
                keys[article.doc_id] = frozenset()
    chrome = learned_chrome(articles, history or SourceHistory(), keys)
    shared = shared_titles(articles)
    for article in articles:
        try:
            done.append(_clean_article(article, chrome[article.doc_id], keys[article.doc_id], article.doc_id in shared))
        except Exception as exc:  # noqa: BLE001 - one page is quarantined with its reason, the batch goes on
            failed.append(
                Quarantined(
                    article.source_uri, "cleanup", f"{type(exc).__name__}: {exc}",
                    doc_id=article.doc_id, content_hash=article.content_hash,
                )
            )
    return done, failed


# Pages of one source in a batch that must share a title before it counts as the site's
# name rather than a headline: the recurrence rule of per-source chrome (SOURCE_MIN_PAGES
# other pages) — two pages may be one story posted twice, three with one title are a masthead.
SHARED_TITLE_PAGES = SOURCE_MIN_PAGES + 1


def shared_titles(articles: list[Article]) -> set[str]:
    """Return the doc_ids whose title SHARED_TITLE_PAGES or more pages of their source in
    `articles` share (a blog's <title> that is the blog's name on every post)."""
    counts = Counter((a.source, normalise_line(a.title)) for a in articles if a.title)
    return {a.doc_id for a in articles if a.title and counts[(a.source, normalise_line(a.title))] >= SHARED_TITLE_PAGES}


class PageTooLarge(ValueError):
    """A page beyond MAX_PAGE_CHARS: quarantined rather than cleaned."""


def _clean_article(article: Article, chrome: frozenset[str], keys: frozenset[str], shared_title: bool = False) -> Article:
    """Clean one page (`shared_title`: its title is its source's on several pages); raises
    PageTooLarge for a page beyond MAX_PAGE_CHARS."""
    if len(article.raw_text) > MAX_PAGE_CHARS:
        raise PageTooLarge(f"page of {len(article.raw_text):,} characters, more than the {MAX_PAGE_CHARS:,} cleanup reads")
    # A title that is a line of its source's chrome (on most of the source's pages), or the
    # title of several of its pages, is the site's name — a blog whose <title> is the blog's —
    # not this page's headline: cleanup looks for the headline itself, and its headline line
    # replaces that title.
    title = article.title
    title_key = line_key(normalise_line(title)) if title else None
    site_title = title_key is not None and (shared_title or title_key in chrome)
    if site_title:  # and its line, wherever the page shows it, is the source's chrome
        title, chrome = None, chrome | {title_key}
    if article.input_format == "html":
        result = clean_html(article.raw_text, article.language, title, article.url, chrome)
    else:
        result = clean_text(article.raw_text, article.language, title, source_chrome=chrome)
    why = not_article_reason(result.clean_text)
    return (
            replace(
                article,
                clean_text=result.clean_text,
                removed_lines=result.removed,
                title=(result.title or article.title) if site_title else (article.title or result.title),
                byline=result.byline,
                attribution=result.attribution,
                published_at=article.published_at or result.published,
                published_from=article.published_from or (result.published_from if result.published else None),
                is_article=why is None,
                not_article_reason=why,
                line_keys=keys,
                versions={**article.versions, "cleanup": VERSION},
            )
    )
