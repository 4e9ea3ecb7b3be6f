"""Cleanup: strip site chrome, keep the headline once, section headings and body paragraphs.

Text mode (plain text, one block per line, chrome and all): the page is cut into
segments at end-of-article lines (comment headers, share bars, related lists) and long
runs of non-sentences; the segment with the most paragraph words (comments and teasers
discounted) is the body. Lines are then classified on general signals: position
(above the headline, after the body), length and sentence punctuation, stop-word
density, generic chrome phrasing in several languages, lines in another language than
the body, lines repeated within the page.

HTML mode: trafilatura extracts the main text; lines that are chrome by their wording are
dropped from it, and when the extractor stopped early (or found nothing) the text-mode
body continues (or replaces) it.

On top of the rules, in both modes, a learned line model (gradient-boosted trees over the
rules' signals, line_model.json, trained by bench/train_line_model.py) overrides a line's
verdict where it is confident (line_decision.py); in HTML mode the extractor's text stands
wherever the model agrees.

Every dropped line is returned with one of the REASONS codes; bylines and wire credits
become article metadata rather than disappearing. No page is ever lost: a page that
cannot be cleaned is quarantined with its reason and the batch goes on.

The package, in reading order:
    batch.py           clean_articles / clean_batch over Articles, per-source chrome, VERSION
    html_mode.py       HTML pages: extraction, recovery of what the extractor dropped
    text_mode.py       the line rules: every line kept or removed with a reason
    line_features.py   the rules' signals as numbers, one row per line
    line_model.py      the learned line model (line_model.json), scored with NumPy
    line_decision.py   where the model overrides the rules; the body rebuilt
    body_span.py       body finding: which run of the page is the article
    headline.py        the headline line
    lists.py           lists that belong to the body (tour dates, standings)
    line_signals.py    what one line looks like (prose, sentence, caption, foreign, chrome)
    metadata_lines.py  bylines, datelines, wire credits -> metadata (never raising)
    verdict.py         is the cleaned page an article at all
    reasons.py         the reason codes
    result.py          CleanResult
    prefect_tasks.py   the Prefect tasks

Thresholds are calibrated on ../shared/bench/cleanup: re-run bench/cleanup.py when
changing them.
"""

from newsetl.tasks.cleanup.batch import (
    MAX_PAGE_CHARS,
    VERSION,
    PageTooLarge,
    article_body,
    clean_articles,
    clean_batch,
)
from newsetl.tasks.cleanup.html_mode import clean_html
from newsetl.tasks.cleanup.prefect_tasks import clean_task, source_history_task
from newsetl.tasks.cleanup.reasons import REASONS
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.cleanup.text_mode import clean_text
from newsetl.tasks.cleanup.verdict import not_article_reason

__all__ = [
    "MAX_PAGE_CHARS", "REASONS", "VERSION", "CleanResult", "PageTooLarge", "article_body", "clean_articles",
    "clean_batch", "clean_html", "clean_task", "clean_text", "not_article_reason", "source_history_task",
]
