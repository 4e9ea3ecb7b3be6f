"""HTML mode: trafilatura extracts the main text, text mode cleans it and recovers what it dropped."""

from __future__ import annotations

from dataclasses import replace

from newsetl.tasks.extractor_logs import quiet_extractor_logs
from newsetl.tasks.cleanup.line_decision import (
    decide,
    page_from_result,
    html_result_from_decisions,
)
from newsetl.tasks.cleanup.headline import headline_like
from newsetl.tasks.cleanup.line_features import PageLines
from newsetl.tasks.cleanup.line_model import LineModel, shipped_model
from newsetl.tasks.cleanup.line_signals import PARAGRAPH_MIN_WORDS
from newsetl.tasks.cleanup.metadata_lines import with_html_metadata
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.cleanup.text_mode import SHIPPED, clean_text_rules
from newsetl.tasks.html_text import html_blocks
from newsetl.tasks.language import normalise_line, words
from newsetl.tasks.records import RemovedLine
from newsetl.tasks.source_chrome import line_key

# HTML mode: an extraction (after the rules) shorter than this is "found next to nothing":
# the text-mode classifier reads the whole page instead.
MIN_EXTRACTED_WORDS = 30
# trafilatura's default settings, not favor_precision: on the 7 dev sets favor_precision is
# lower on 6 (README of ../shared/bench: wcxb-dev 0.783 vs 0.836, googletrends2017 0.844 vs
# 0.860, cleaneval 0.867 vs 0.877) and higher only on scrapinghub (0.964 vs 0.960); the
# line model then trims what the wider extraction lets in.
FAVOR_PRECISION = False
# HTML mode: the text-mode body continues the extraction when it holds this share of the
# extractor's lines and goes on after them for this many times the extraction's words
# (scrapinghub: pages the extractor cut short at an inline box).
EXTRACTOR_COVERED_SHARE = 0.8
TRUNCATED_EXTRACTION_RATIO = 1.0
# ... and at least this share of the continuation's words are in consecutive paragraphs.
CONTINUATION_PAIRED_SHARE = 0.6


def clean_html(
    html: str, language: str | None, title: str | None = None, url: str | None = None,
    source_chrome: frozenset[str] = frozenset(), model: LineModel | str | None = SHIPPED,
) -> CleanResult:
    """Extract the main text of an HTML page, drop the chrome lines left in it, and let the
    line model override that where it is confident (line_decision.py).

    `model` is a LineModel, SHIPPED (the package's) or None (extractor and rules only).
    The extractor's text stands where the model agrees; a paragraph goes only when the
    model drops every page block in it, and a block the extractor left out comes back,
    in page order, only when the model keeps it.
    """
    rules, page = html_page(html, language, title, url, source_chrome)
    model = shipped_model() if model == SHIPPED else model
    if model is None:
        return rules
    return html_result_from_decisions(page, decide(page, model), rules)


def html_page(
    html: str, language: str | None, title: str | None = None, url: str | None = None,
    source_chrome: frozenset[str] = frozenset(),
) -> tuple[CleanResult, PageLines]:
    """Return what extractor and rules make of a page (`clean_html_rules`) and the page as
    the line model sees it: its blocks, their contexts, the extractor's and the rules' verdicts."""
    blocks = html_blocks(html)
    page_lines = [block.text for block in blocks]
    page_rules = clean_text_rules("\n".join(page_lines), language, title, source_chrome=source_chrome)
    rules, extracted = clean_html_rules(html, language, title, url, source_chrome, page_lines, page_rules)
    numbered = list(enumerate(page_lines, start=1))
    kept_keys = {normalise_line(line) for line in (rules.title or "", *rules.body.split("\n\n")) if line}
    kept_text = " ".join(normalise_line(p) for p in rules.body.split("\n\n"))
    extracted_keys = {normalise_line(line) for line in extracted.splitlines()}
    extracted_text = " ".join(extracted_keys)
    reason_by_key: dict[str, str] = {}
    for r in rules.removed:
        key = normalise_line(r.text)
        if r.reason != "not_main_content" or key not in reason_by_key:
            reason_by_key[key] = r.reason
    text_removed = {r.line_no for r in page_rules.removed}

    def inside(key: str, keys: set[str], text: str) -> bool:
        # A block the extractor joined with its neighbours is inside the joined line.
        return key in keys or (len(key.split()) >= 3 and key in text)

    verdicts, in_extraction = [], []
    for _, line in numbered:
        key = normalise_line(line)
        verdicts.append(None if inside(key, kept_keys, kept_text) else reason_by_key.get(key, "not_main_content"))
        in_extraction.append(inside(key, extracted_keys, extracted_text))
    removed = tuple(RemovedLine(no, line, v) for (no, line), v in zip(numbered, verdicts) if v)
    page = page_from_result(
        numbered, replace(rules, removed=removed), language, contexts=[b.context for b in blocks], extracted=in_extraction,
        text_rules_kept=[no not in text_removed for no, _ in numbered],
    )
    return rules, page


def clean_html_rules(
    html: str, language: str | None, title: str | None, url: str | None, source_chrome: frozenset[str],
    page_lines: list[str], page_rules: CleanResult,
) -> tuple[CleanResult, str]:
    """Extract the main text of an HTML page, then drop the chrome lines left in it; return
    the result and the extractor's text.

    trafilatura (FAVOR_PRECISION) gives the main text, from which only lines that are chrome by their wording are dropped; when
    the extractor stopped early, the text-mode classifier (`page_rules`, over
    `page_lines`) supplies the rest (see `_continuation`), and when it found nothing, all
    of it. Page blocks left out are returned as removed lines ("not_main_content"),
    numbered by their position in the flattened page.
    """
    doc = _extract(html, url, favor_precision=FAVOR_PRECISION)
    # The extractor's title is the page's <title>; on a site whose name is that title on every
    # page it is source chrome, and the headline is the line the rules find above the body.
    doc_title = doc.title if doc else None
    site_named = bool(doc_title) and line_key(normalise_line(doc_title)) in source_chrome
    headline = title or (None if site_named else doc_title)
    extracted = (doc.text or "") if doc else ""
    text = f"{headline}\n\n{extracted}" if headline else extracted
    result = clean_text_rules(text, language, headline, True, source_chrome)
    if site_named and not headline and not result.title:
        # Extractors start the main text at the headline: when the page's <title> was only the
        # site's name, a headline-like first line is the headline.
        first, _, rest = result.body.partition("\n\n")
        if first and headline_like(first, len(words(first))):
            result = replace(result, title=first, body=rest)
    result = replace(result, title=headline or (result.title if site_named else None))
    kept = {normalise_line(line) for line in text.splitlines()}
    if len(words(result.body)) < MIN_EXTRACTED_WORDS and len(words(page_rules.body)) > len(words(result.body)):
        # The extractor found (next to) nothing: the text-mode classifier reads the page.
        # Its removed lines already audit every page line, numbered by position.
        return with_html_metadata(replace(page_rules, title=headline or page_rules.title), doc), extracted
    tail = _continuation(page_rules, extracted)
    if tail:
        result = replace(result, body="\n\n".join(part for part in (result.body, *tail) if part))
        kept |= {normalise_line(line) for line in tail}
    dropped = tuple(
        RemovedLine(no, line, "not_main_content")
        for no, line in enumerate(page_lines, start=1)
        if normalise_line(line) not in kept
    )
    return with_html_metadata(replace(result, removed=dropped + result.removed), doc), extracted


def _continuation(page_rules: CleanResult, extracted: str) -> list[str]:
    """Return the body paragraphs the extractor cut off, or [] when it did not stop early.

    The flattened page goes through the text-mode classifier. When its body holds nearly
    all of the extractor's lines and goes on after the last of them for at least as many
    words again (articles split by inline boxes), those following paragraphs are returned.
    """
    extracted_keys = [normalise_line(line) for line in extracted.splitlines() if line.strip()]
    if not extracted_keys:
        return []
    body = page_rules.body.split("\n\n")
    position = {normalise_line(line): i for i, line in enumerate(body)}
    found = [position[key] for key in extracted_keys if key in position]
    if len(found) < EXTRACTOR_COVERED_SHARE * len(extracted_keys):
        return []
    tail = body[max(found) + 1 :]
    counts = [len(words(line)) for line in tail]
    total = sum(counts)
    # Paragraphs that follow each other; teaser lists alternate titles, names and summaries.
    paired = sum(
        n for i, n in enumerate(counts)
        if n >= PARAGRAPH_MIN_WORDS and any(0 <= j < len(counts) and counts[j] >= PARAGRAPH_MIN_WORDS for j in (i - 1, i + 1))
    )
    if total < TRUNCATED_EXTRACTION_RATIO * len(words(extracted)) or paired < CONTINUATION_PAIRED_SHARE * total:
        return []
    return tail


def _extract(html: str, url: str | None, favor_precision: bool):
    """trafilatura's main-text extraction with metadata; None when it finds nothing or fails
    (the text-mode classifier over the flattened page then supplies the body)."""
    import trafilatura  # here, not at the top: ~0.1 s a run without HTML pages need not pay

    quiet_extractor_logs()  # its ERROR on a page it cannot parse is our "nothing extracted"
    try:
        return trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=favor_precision
        )
    except Exception:  # noqa: BLE001 - an extractor failure on a degenerate page is "nothing extracted"
        return None
