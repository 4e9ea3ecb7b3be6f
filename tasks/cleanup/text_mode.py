"""Text mode: classify every line of a flattened page as body or chrome, with a reason."""

from __future__ import annotations

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.cleanup.body_span import body_span
from newsetl.tasks.cleanup.headline import HEADLINE_MIN_WORDS, find_headline
from newsetl.tasks.cleanup.line_decision import (
    decide,
    page_from_result,
    result_from_decisions,
)
from newsetl.tasks.cleanup.line_features import PageLines
from newsetl.tasks.cleanup.line_model import LineModel, shipped_model
from newsetl.tasks.cleanup.line_signals import (
    CHROME_SENTENCE_MAX_WORDS,
    SHORT_LINE_WORDS,
    WIDGET_IN_BODY_MAX_WORDS,
    is_caption,
    is_foreign,
    is_prose,
)
from newsetl.tasks.cleanup.lists import list_after_body
from newsetl.tasks.cleanup.metadata_lines import (
    DATELINE_MAX_WORDS,
    dateline_date,
    dateline_wire,
    wire_name,
)
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.language import normalise_line, stop_words, words
from newsetl.tasks.records import RemovedLine
from newsetl.tasks.source_chrome import line_key

# `model` default: the line model shipped with the package (line_model.json).
SHIPPED = "shipped"


def clean_text(
    text: str, language: str | None, title: str | None = None, trust_extraction: bool = False,
    source_chrome: frozenset[str] = frozenset(), model: LineModel | str | None = SHIPPED,
) -> CleanResult:
    """Classify the lines of a flattened page into body and chrome: the rules
    (`clean_text_rules`), then the line model where it is confident (line_decision.py).

    `model` is a LineModel, SHIPPED (the package's) or None (rules only). Text that an
    extractor produced (`trust_extraction`) is judged by the rules alone. Returns the body
    paragraphs (separated by blank lines), the headline, every dropped line and the
    metadata found.
    """
    rules = clean_text_rules(text, language, title, trust_extraction, source_chrome)
    model = shipped_model() if model == SHIPPED else model
    if trust_extraction or model is None:
        return rules
    page = text_page(text, rules, language)
    return result_from_decisions(page, decide(page, model), rules)


def text_page(text: str, rules: CleanResult, language: str | None) -> PageLines:
    """The page's non-blank lines, numbered as the rules number them, with the rules' verdicts."""
    lines = [(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return page_from_result(lines, rules, language)


def clean_text_rules(
    text: str, language: str | None, title: str | None = None, trust_extraction: bool = False,
    source_chrome: frozenset[str] = frozenset(),
) -> CleanResult:
    """Classify the lines of a flattened page into body and chrome, by the rules alone.

    `language` is the page's language (for stop words); `title`, when known (HTML
    metadata, JSONL), identifies the headline line. With `trust_extraction` (text that a
    main-text extractor already produced) the position rules are off and only lines that
    are chrome by their own wording go. `source_chrome` holds the keys of lines learnt as
    chrome of the page's source (tasks/source_chrome.py). Returns the body paragraphs
    (separated by blank lines), the headline, every dropped line and the metadata found.
    """
    lines = [(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]
    lang_stops = stop_words(language or "")
    n_words = {no: len(words(line)) for no, line in lines}
    learnt = {no for no, line in lines if source_chrome and line_key(normalise_line(line)) in source_chrome}
    prose = {no for no, line in lines if no not in learnt and is_prose(line, n_words[no], lang_stops)}
    if trust_extraction:
        body_start, body_end = (lines[0][0], lines[-1][0]) if lines else (None, None)
    else:
        body_start, body_end = body_span(lines, n_words, prose, lang_stops)
        body_end = list_after_body(lines, n_words, prose, body_end)
    headline_no = find_headline(lines, n_words, title, body_start)
    headline_key = next((normalise_line(line) for no, line in lines if no == headline_no), None)

    kept: list[str] = []
    seen: set[str] = set()
    removed: list[RemovedLine] = []
    byline = attribution = published = None
    for no, line in lines:
        key = normalise_line(line)
        count = n_words[no]
        in_body = body_start is not None and body_start <= no <= body_end
        before_body = body_start is None or no < body_start
        reason = None
        if key and key in seen and not (trust_extraction and no != headline_no and key != headline_key):
            reason = "duplicate"
        elif no == headline_no:
            reason = None
        elif no in learnt:
            reason = "source_chrome"
        elif ph.COPYRIGHT_LINE.search(line) and count <= CHROME_SENTENCE_MAX_WORDS:
            reason = "copyright"
            attribution = attribution or wire_name(line)
        elif (match := ph.BYLINE_LINE.match(line)) and count <= 12 and not (in_body and no in prose):
            reason, byline = "byline", byline or match.group("name")
            if ph.DATE_LINE.search(line):
                published = published or dateline_date(line, language)
        elif is_caption(line, count):
            reason = "caption"
        elif ph.CREDIT_LINE.match(line) and count <= CHROME_SENTENCE_MAX_WORDS and (not in_body or count <= 3):
            reason = "credit"
            attribution = attribution or wire_name(line) or line
        elif ph.WIDGET_LINE.match(line) and count <= (WIDGET_IN_BODY_MAX_WORDS if in_body else CHROME_SENTENCE_MAX_WORDS):
            reason = "widget"
        elif ph.is_menu_line(line) and not trust_extraction:
            reason = "navigation"
        elif count <= SHORT_LINE_WORDS and not trust_extraction and is_foreign(line, lang_stops, loose=not in_body):
            reason = "foreign_language"
        elif before_body and ph.DATE_LINE.search(line) and count <= DATELINE_MAX_WORDS:
            reason = "dateline"
            published = published or dateline_date(line, language)
        elif before_body and (headline_no is None or no < headline_no or count < HEADLINE_MIN_WORDS):
            reason = "navigation"
        elif body_end is not None and no > body_end:
            reason = "after_body"
        if key:
            seen.add(key)  # removed lines too: a repeated masthead is chrome again
        if reason:
            removed.append(RemovedLine(no, line, reason))
            continue
        if no == headline_no or in_body:
            attribution = attribution or dateline_wire(line)
        kept.append(line)

    headline = next((line for no, line in lines if no == headline_no), None)
    body = kept[1:] if headline is not None and kept and kept[0] == headline else kept
    return CleanResult(
        "\n\n".join(body), tuple(removed), headline or title, byline, attribution, published, "dateline" if published else None
    )
