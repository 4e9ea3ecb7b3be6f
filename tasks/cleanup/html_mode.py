"""HTML mode: trafilatura extracts the main text, text mode cleans it and recovers what it dropped."""

from __future__ import annotations

from dataclasses import replace

import trafilatura

from newsetl.tasks.cleanup.line_signals import PARAGRAPH_MIN_WORDS
from newsetl.tasks.cleanup.metadata_lines import with_html_metadata
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.cleanup.text_mode import clean_text
from newsetl.tasks.html_text import html_to_lines
from newsetl.tasks.language import normalise_line, words
from newsetl.tasks.records import RemovedLine

# HTML mode: favor_precision extraction shorter than this falls back to default settings.
MIN_EXTRACTED_WORDS = 30
# HTML mode: the text-mode body continues the extraction when it holds this share of the
# extractor's lines and goes on after them for this many times the extraction's words
# (scrapinghub: pages the extractor cut short at an inline box).
EXTRACTOR_COVERED_SHARE = 0.8
TRUNCATED_EXTRACTION_RATIO = 1.0
# ... and at least this share of the continuation's words are in consecutive paragraphs.
CONTINUATION_PAIRED_SHARE = 0.6


def clean_html(
    html: str, language: str | None, title: str | None = None, url: str | None = None,
    source_chrome: frozenset[str] = frozenset(),
) -> CleanResult:
    """Extract the main text of an HTML page, then drop the chrome lines left in it.

    trafilatura (favor_precision, the default settings when that finds nothing) gives the
    main text, from which only lines that are chrome by their wording are dropped; when
    the extractor stopped early, the text-mode classifier supplies the rest (see
    `_continuation`). Page blocks left out are returned as removed lines ("not_main_content"), numbered by
    their position in the flattened page.
    """
    page_lines = html_to_lines(html)
    doc = _extract(html, url, favor_precision=True)
    if doc is None or len(words(doc.text or "")) < MIN_EXTRACTED_WORDS:
        doc = _extract(html, url, favor_precision=False) or doc
    headline = title or (doc.title if doc else None)
    extracted = (doc.text or "") if doc else ""
    text = f"{headline}\n\n{extracted}" if headline else extracted
    result = replace(clean_text(text, language, headline, True, source_chrome), title=headline)
    kept = {normalise_line(line) for line in text.splitlines()}
    if len(words(result.body)) < MIN_EXTRACTED_WORDS:
        # The extractor found (next to) nothing: the text-mode classifier reads the page.
        fallback = clean_text("\n".join(page_lines), language, headline, source_chrome=source_chrome)
        if len(words(fallback.body)) > len(words(result.body)):
            # Its removed lines already audit every page line, numbered by position.
            return with_html_metadata(replace(fallback, title=headline or fallback.title), doc)
    tail = _continuation(page_lines, language, headline, extracted, source_chrome)
    if tail:
        result = replace(result, body="\n\n".join(part for part in (result.body, *tail) if part))
        kept |= {normalise_line(line) for line in tail}
    dropped = tuple(
        RemovedLine(no, line, "not_main_content")
        for no, line in enumerate(page_lines, start=1)
        if normalise_line(line) not in kept
    )
    return with_html_metadata(replace(result, removed=dropped + result.removed), doc)


def _continuation(
    page_lines: list[str], language: str | None, headline: str | None, extracted: str, source_chrome: frozenset[str]
) -> list[str]:
    """Return the body paragraphs the extractor cut off, or [] when it did not stop early.

    The flattened page goes through the text-mode classifier. When its body holds nearly
    all of the extractor's lines and goes on after the last of them for at least as many
    words again (articles split by inline boxes), those following paragraphs are returned.
    """
    extracted_keys = [normalise_line(line) for line in extracted.splitlines() if line.strip()]
    if not extracted_keys:
        return []
    body = clean_text("\n".join(page_lines), language, headline, source_chrome=source_chrome).body.split("\n\n")
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
    try:
        return trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=favor_precision
        )
    except Exception:  # noqa: BLE001 - an extractor failure on a degenerate page is "nothing extracted"
        return None
