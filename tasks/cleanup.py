"""Cleanup: strip site chrome, keep the headline once, section headings and body paragraphs.

HTML input first goes through trafilatura's main-text extraction; every text (plain input,
or the extractor's output) then goes through a line classifier built on general signals:
position relative to the body (chrome clusters above the headline and below the last
paragraph), line length and sentence punctuation, generic chrome phrasing in several
languages, lines in another language than the body, and lines repeated within the page.

Every dropped line is returned with one of the REASONS codes; bylines and wire credits
become article metadata rather than disappearing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

import trafilatura
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks import chrome_phrases as ph
from tasks.html_text import html_to_lines
from tasks.isolation import isolate_failures
from tasks.language import line_language_votes, stop_words, words
from tasks.records import Article, Quarantined, RemovedLine

VERSION = "cleanup-lines.v1"

REASONS = {
    "duplicate": "repeats an earlier line of the page (repeated headline, masthead)",
    "widget": "call-to-action or widget phrasing: share, comments, related/more news, newsletter, cookies, ads",
    "copyright": "copyright or rights line",
    "byline": "author line; the name is kept in articles.byline",
    "credit": "wire or staff credit line; kept in articles.attribution",
    "foreign_language": "short line in another language than the body",
    "navigation": "short fragment above the headline or before the body: masthead, section label, breadcrumb",
    "trailing_fragment": "non-sentence line after the last paragraph: related headlines, tags, footer links",
    "not_main_content": "HTML block the main-text extractor left out",
}

# A body paragraph has at least this many words and sentence punctuation. Calibrated on
# the five seeds (shortest body paragraph: 21 words; longest chrome sentence: 7 words).
PARAGRAPH_MIN_WORDS = 12
# Lines up to this many words are "short" for the foreign-language and navigation rules.
SHORT_LINE_WORDS = 8
# Widget phrasing is trusted inside the body only on lines this short ("Read more:",
# "Share this article"); beyond the body, on any line up to CHROME_SENTENCE_MAX_WORDS.
WIDGET_IN_BODY_MAX_WORDS = 6
CHROME_SENTENCE_MAX_WORDS = 20
# A headline has at least this many words (mastheads and section labels have fewer).
HEADLINE_MIN_WORDS = 4
# Clean text shorter than this is flagged as not an article.
MIN_ARTICLE_WORDS = 40

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_HAS_SENTENCE_PUNCT = re.compile(r"[.!?…]")


@dataclass(frozen=True)
class CleanResult:
    """What cleanup makes of one text."""

    clean_text: str
    removed: tuple[RemovedLine, ...]
    title: str | None
    byline: str | None
    attribution: str | None


def normalise_line(line: str) -> str:
    """Return a comparison key for a line: NFKC, casefolded, punctuation and spacing removed."""
    text = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(re.findall(r"\w+", text))


def clean_text(text: str, language: str | None, title: str | None = None) -> CleanResult:
    """Classify the lines of a flattened page into body and chrome.

    `language` is the page's language (for stop words); `title`, when known (HTML
    metadata, JSONL), identifies the headline line. Returns the clean body with the
    headline first, paragraphs separated by blank lines, and every dropped line.
    """
    lines = [(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]
    lang_stops = stop_words(language or "")
    n_words = {no: len(words(line)) for no, line in lines}

    def is_paragraph(line: str, no: int, min_words: int) -> bool:
        return n_words[no] >= min_words and bool(_HAS_SENTENCE_PUNCT.search(line)) and not ph.WIDGET_LINE.match(line)

    core = [no for no, line in lines if is_paragraph(line, no, PARAGRAPH_MIN_WORDS)]
    if not core:  # briefs: fall back to shorter sentences
        core = [no for no, line in lines if is_paragraph(line, no, SHORT_LINE_WORDS) and _SENTENCE_END.search(line)]
    body_start, body_end = (core[0], core[-1]) if core else (None, None)
    headline_no = _find_headline(lines, n_words, title, body_start)

    kept: list[str] = []
    seen: set[str] = set()
    removed: list[RemovedLine] = []
    byline = attribution = None
    for no, line in lines:
        key = normalise_line(line)
        count = n_words[no]
        in_body = body_start is not None and body_start <= no <= body_end
        before_headline = headline_no is not None and no < headline_no
        after_body = body_end is not None and no > body_end
        reason = None
        if key and key in seen:
            reason = "duplicate"
        elif no == headline_no:
            reason = None
        elif ph.COPYRIGHT_LINE.search(line) and count <= CHROME_SENTENCE_MAX_WORDS:
            reason = "copyright"
            attribution = attribution or _wire_name(line)
        elif (match := ph.BYLINE_LINE.match(line)) and count <= 12 and not in_body:
            reason, byline = "byline", byline or match.group("name")
        elif ph.CREDIT_LINE.match(line) and count <= CHROME_SENTENCE_MAX_WORDS and (after_body or count <= 3):
            reason = "credit"
            attribution = attribution or _wire_name(line) or line
        elif ph.WIDGET_LINE.match(line) and count <= (WIDGET_IN_BODY_MAX_WORDS if in_body else CHROME_SENTENCE_MAX_WORDS):
            reason = "widget"
        elif ph.is_menu_line(line):
            reason = "navigation"
        elif count <= SHORT_LINE_WORDS and _is_foreign(line, lang_stops, loose=not in_body):
            reason = "foreign_language"
        elif before_headline or (body_start is not None and no < body_start and count < HEADLINE_MIN_WORDS):
            reason = "navigation"
        elif after_body and not _SENTENCE_END.search(line):
            reason = "trailing_fragment"
        if key:
            seen.add(key)  # removed lines too: a repeated masthead is chrome again
        if reason:
            removed.append(RemovedLine(no, line, reason))
            continue
        if no == headline_no or in_body:
            attribution = attribution or _dateline_wire(line)
        kept.append(line)

    headline = next((line for no, line in lines if no == headline_no), None)
    return CleanResult("\n\n".join(kept), tuple(removed), headline or title, byline, attribution)


def _find_headline(lines: list[tuple[int, str]], n_words: dict[int, int], title: str | None, body_start: int | None) -> int | None:
    """Return the line number of the headline: the line matching `title`, else the first
    line of HEADLINE_MIN_WORDS+ words before the body that is not chrome phrasing."""
    if title:
        key = normalise_line(title)
        for no, line in lines:
            if normalise_line(line) == key:
                return no
    for no, line in lines:
        if body_start is not None and no > body_start:
            break
        if n_words[no] >= HEADLINE_MIN_WORDS and not (
            ph.WIDGET_LINE.match(line) or ph.COPYRIGHT_LINE.search(line) or ph.BYLINE_LINE.match(line)
            or ph.is_menu_line(line)
        ):
            return no
    return None


def _is_foreign(line: str, body_stops: frozenset[str], loose: bool) -> bool:
    """True when a short line carries another language's function words and none of the body's.

    Inside the body half the line's words must be foreign function words; beyond the
    body ("loose") one is enough, since widgets there are two or three words long.
    """
    if not body_stops:
        return False
    tokens = words(line)
    if not tokens or any(t in body_stops for t in tokens):
        return False
    foreign = sum(line_language_votes(line).values())
    return foreign >= 1 if loose else foreign * 2 >= len(tokens)


def _wire_name(line: str) -> str | None:
    match = ph.WIRE_NAME.search(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


def _dateline_wire(line: str) -> str | None:
    match = ph.WIRE_DATELINE.match(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


def clean_html(html: str, language: str | None, title: str | None = None) -> CleanResult:
    """Extract the main text of an HTML page with trafilatura, then classify its lines.

    Page blocks the extractor left out are returned as removed lines ("not_main_content"),
    numbered by their position in the flattened page.
    """
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True)
    page_lines = html_to_lines(html)
    if doc is None or not (doc.text or "").strip():
        removed = tuple(RemovedLine(no, line, "not_main_content") for no, line in enumerate(page_lines, start=1))
        return CleanResult("", removed, title, None, None)
    headline = title or doc.title
    text = f"{headline}\n\n{doc.text}" if headline else doc.text
    result = clean_text(text, language, headline)
    kept_keys = {normalise_line(line) for line in text.splitlines()}
    dropped = tuple(
        RemovedLine(no, line, "not_main_content")
        for no, line in enumerate(page_lines, start=1)
        if normalise_line(line) not in kept_keys
    )
    return replace(
        result,
        removed=dropped + result.removed,
        byline=result.byline or doc.author,
    )


def not_article_reason(clean: str) -> str | None:
    """Return why a cleaned page is not an article (consent wall, block page, too short), or None."""
    count = len(words(clean))
    if count == 0:
        return "empty_after_cleanup"
    if count < 150 and ph.NOT_ARTICLE_PAGE.search(clean):
        return "consent_or_block_page"
    if count < MIN_ARTICLE_WORDS:
        return "too_short"
    return None


def clean_articles(articles: list[Article]) -> list[Article]:
    """Return the articles with clean_text, removed_lines, title, byline, attribution and flags set."""
    out = []
    for article in articles:
        if article.input_format == "html":
            result = clean_html(article.raw_text, article.language, article.title)
        else:
            result = clean_text(article.raw_text, article.language, article.title)
        why = not_article_reason(result.clean_text)
        out.append(
            replace(
                article,
                clean_text=result.clean_text,
                removed_lines=result.removed,
                title=article.title or result.title,
                byline=result.byline,
                attribution=result.attribution,
                is_article=why is None,
                not_article_reason=why,
                versions={**article.versions, "cleanup": VERSION},
            )
        )
    return out


@task(name="cleanup", cache_policy=NO_CACHE, persist_result=False)
def clean_task(articles: list[Article]) -> tuple[list[Article], list[Quarantined]]:
    """Prefect task: `clean_articles` over one batch, failures quarantined."""
    done, failed = isolate_failures(clean_articles, articles, "cleanup")
    reasons = Counter(r.reason for a in done for r in a.removed_lines)
    flagged = Counter(a.not_article_reason for a in done if not a.is_article)
    get_run_logger().info(
        "cleaned %d articles: removed %d lines %s; not articles: %s",
        len(done), sum(reasons.values()), dict(reasons.most_common()), dict(flagged) or "none",
    )
    return done, failed
