"""Line features: the signals the rules compute, one row of numbers per page line, for the line model.

A page is read as its non-blank lines (text mode: the text's lines; HTML mode: the
flattened page, tasks/html_text.py). For each line: where it sits (position, distance to
the rules' body), its shape (length, sentence punctuation, stop-word share in the page's
language, digits, capitals, `|` table rows, list template), chrome phrasing in several
languages (widgets, end-of-article headers, copyright, bylines, credits, dates, captions,
comment stamps), repetition in the page, the rules' own verdict (kept, or the reason
code), the same for its neighbours, where the line sits against the rules' end-of-body cut
(text mode: see `cut_columns`), and in HTML mode the elements the line sits in (link
density, nav/footer/aside, table cell, list item, heading, paragraph, chrome/body class
names) and whether the main-text extractor kept it. Nothing here knows a benchmark page.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.cleanup.line_signals import (
    HAS_SENTENCE_PUNCT,
    SENTENCE_END,
    is_caption,
    is_prose,
    is_sentence,
)
from newsetl.tasks.cleanup.lists import list_shape
from newsetl.tasks.cleanup.reasons import REASONS
from newsetl.tasks.html_text import CONTEXTS
from newsetl.tasks.language import (
    line_language_votes,
    normalise_line,
    stop_words,
    words,
)

_DIGIT = re.compile(r"\d")
_PIPE = re.compile(r"(^|\s)\|(\s|$)")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_VERDICTS = ("kept", "headline", *REASONS)


@dataclass(frozen=True)
class PageLines:
    """A page as the line model sees it: its lines (number, text), what the rules decided
    for each (None = kept, else a REASONS code), the headline's line number, and in HTML
    mode each line's element contexts and whether the extractor kept it."""

    lines: list[tuple[int, str]]
    verdicts: list[str | None]
    headline_no: int | None
    language: str | None
    contexts: list[tuple[float, ...]] | None = None
    extracted: list[bool] | None = None
    text_rules_kept: list[bool] | None = None  # HTML mode: what the text-mode rules keep of the page


def feature_names() -> list[str]:
    """The names of the columns `line_features` returns, in order."""
    own = [
        "position", "log_page_lines", "log_words", "log_chars", "ends_sentence", "has_sentence_punct",
        "stopword_share", "no_stopwords_known", "foreign_share", "digit_share", "capitalised_share", "pipe_row", "url",
        "widget", "end_of_article", "menu", "copyright", "byline", "credit", "date_line", "caption", "comment_author",
        "wall_wording", "list_item", "repeated_in_page", "prose", "sentence", "glued_teaser",
    ]
    verdict = [f"rule_{v}" for v in _VERDICTS]
    around = [
        "prev_prose", "next_prose", "prev_kept", "next_kept", "kept_window5", "kept_window11", "prev_log_words",
        "next_log_words", "log_distance_to_kept", "kept_share_before", "kept_share_after", "log_kept_run", "page_kept_share",
    ]
    html = ["html_mode", *[f"in_{c}" for c in CONTEXTS], "extracted", "extracted_window5", "page_extracted_share",
            "link_window5", "chrome_element_window5", "text_rules_kept", "text_rules_kept_window5"]
    cut = ["after_cut_log_distance", *[f"after_cut_{kind}" for kind in _MARKER_KINDS], "before_body_log_distance", "page_has_cut"]
    return own + verdict + around + html + cut


def line_features(page: PageLines) -> np.ndarray:
    """Return the feature matrix of a page: one row per line, columns `feature_names()`."""
    lines = page.lines
    n = len(lines)
    names = feature_names()
    if n == 0:
        return np.zeros((0, len(names)), dtype=np.float32)
    stops = stop_words(page.language or "")
    texts = [line for _, line in lines]
    toks = [words(line) for line in texts]
    counts = [len(t) for t in toks]
    keys = [normalise_line(line) for line in texts]
    key_counts = Counter(keys)
    prose = np.array([is_prose(line, c, stops) for line, c in zip(texts, counts)], dtype=np.float32)
    kept = np.array([v is None or v == "headline" for v in page.verdicts], dtype=np.float32)
    rows = []
    for i, (line, tokens, count) in enumerate(zip(texts, toks, counts)):
        chars = len(line)
        stop_share = sum(1 for t in tokens if t in stops) / count if stops and count else 0.0
        foreign = sum(line_language_votes(line).values()) / count if count and stops else 0.0
        rows.append([
            i / max(n - 1, 1), math.log1p(n), math.log1p(count), math.log1p(chars),
            float(bool(SENTENCE_END.search(line))), float(bool(HAS_SENTENCE_PUNCT.search(line))),
            stop_share, float(not stops), foreign,
            len(_DIGIT.findall(line)) / max(chars, 1),
            sum(1 for w in line.split() if w[:1].isupper()) / max(len(line.split()), 1),
            float(bool(_PIPE.search(line)) or line.count("|") >= 2), float(bool(_URL.search(line))),
            float(bool(ph.WIDGET_LINE.match(line))), float(bool(ph.END_OF_ARTICLE.match(line))), float(ph.is_menu_line(line)),
            float(bool(ph.COPYRIGHT_LINE.search(line))), float(bool(ph.BYLINE_LINE.match(line))),
            float(bool(ph.CREDIT_LINE.match(line))), float(bool(ph.DATE_LINE.search(line))), float(is_caption(line, count)),
            float(bool(ph.COMMENT_AUTHOR_LINE.match(line))), float(bool(ph.NOT_ARTICLE_PAGE.search(line))),
            float(list_shape(line, count) is not None), float(key_counts[keys[i]] > 1), prose[i],
            float(is_sentence(line, count, stops)), float(ph.is_glued_teaser(line)),
        ])
    own = np.array(rows, dtype=np.float32)
    verdict = np.zeros((n, len(_VERDICTS)), dtype=np.float32)
    text_mode = page.contexts is None
    for i, v in enumerate(page.verdicts):
        # Text mode: "after the cut" is a position, not a verdict on the line: it is given as
        # `cut_columns` (distance to the cut, markers passed) and the one-hot says what the
        # wording rules alone made of the line. With the reason as a one-hot the trees learnt
        # it as near-final and kept almost no body line after a wrong cut (LOSO text macro
        # 0.810 -> 0.813 with this, no set lower; see line_decision.AFTER_CUT_KEEP).
        if text_mode and v == "after_body":
            v = None
        verdict[i, _VERDICTS.index(v if v in _VERDICTS else "kept") if v else 0] = 1.0
    around = _around(prose, kept, np.array(counts, dtype=np.float32))
    html = np.zeros((n, len(CONTEXTS) + 8), dtype=np.float32)
    if page.contexts is not None and page.extracted is not None and page.text_rules_kept is not None:
        ctx = np.array(page.contexts, dtype=np.float32).reshape(n, len(CONTEXTS))
        ext = np.array(page.extracted, dtype=np.float32)
        text_kept = np.array(page.text_rules_kept, dtype=np.float32)
        html = np.column_stack([
            np.ones(n, dtype=np.float32), ctx, ext, _window_mean(ext, 2), np.full(n, ext.mean(), dtype=np.float32),
            _window_mean(ctx[:, CONTEXTS.index("link")], 2), _window_mean(ctx[:, CONTEXTS.index("chrome_element")], 2),
            text_kept, _window_mean(text_kept, 2),
        ])
    cut = cut_columns(page) if text_mode else np.zeros((n, len(_MARKER_KINDS) + 3), dtype=np.float32)
    return np.column_stack([own, verdict, around, html, cut]).astype(np.float32)


# End-of-article markers, in the order of `_marker_kind`'s codes (cut_columns' columns 1-4).
_MARKER_KINDS = ("comments", "related", "share", "end")


def _marker_kind(line: str) -> int | None:
    """Index in _MARKER_KINDS of the end-of-article marker a line is, or None."""
    if ph.COMMENT_AUTHOR_LINE.match(line) or ph.COMMENTS_HEADER.match(line):
        return 0
    if ph.RELATED_HEADER.match(line):
        return 1
    if ph.SHARE_LINE.match(line):
        return 2
    return 3 if ph.END_OF_ARTICLE.match(line) else None


def cut_columns(page: PageLines) -> np.ndarray:
    """Text mode: each line against the rules' body span. After the cut (the first
    "after_body" line): log of the distance to it, and which kinds of end-of-article marker
    lie between it and the line; before the first kept line: log of the distance to it;
    whether the page has a cut at all."""
    n = len(page.lines)
    cols = np.zeros((n, len(_MARKER_KINDS) + 3), dtype=np.float32)
    cut = next((i for i, v in enumerate(page.verdicts) if v == "after_body"), None)
    first_kept = next((i for i, v in enumerate(page.verdicts) if v is None), None)
    seen = [0.0] * len(_MARKER_KINDS)
    for i, (_, line) in enumerate(page.lines):
        if cut is not None and i >= cut:
            kind = _marker_kind(line)
            if kind is not None:
                seen[kind] = 1.0
            cols[i, 0] = math.log1p(i - cut + 1)
            cols[i, 1 : 1 + len(_MARKER_KINDS)] = seen
        if first_kept is not None and i < first_kept:
            cols[i, -2] = math.log1p(first_kept - i)
        cols[i, -1] = float(cut is not None)
    return cols


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of `values` over a window of `radius` lines either side (clipped at the page's ends)."""
    padded = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    idx = np.arange(len(values))
    lo, hi = np.clip(idx - radius, 0, len(values)), np.clip(idx + radius + 1, 0, len(values))
    return ((padded[hi] - padded[lo]) / (hi - lo)).astype(np.float32)


def _around(prose: np.ndarray, kept: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Context columns: neighbours' prose and verdicts, distance to and share of kept lines, kept runs."""
    n = len(prose)
    shift_prev = lambda a, fill: np.concatenate([[fill], a[:-1]])  # noqa: E731
    shift_next = lambda a, fill: np.concatenate([a[1:], [fill]])  # noqa: E731
    kept_idx = np.flatnonzero(kept)
    idx = np.arange(n)
    if len(kept_idx):
        nearest = _nearest(idx, kept_idx)
    else:
        nearest = np.full(n, n, dtype=np.float64)
    cum = np.cumsum(kept)
    total = kept.sum()
    run = np.zeros(n, dtype=np.float32)
    i = 0
    while i < n:
        j = i
        while j < n and kept[j] == kept[i]:
            j += 1
        run[i:j] = (j - i) if kept[i] else 0
        i = j
    log_counts = np.log1p(counts)
    return np.column_stack([
        shift_prev(prose, 0), shift_next(prose, 0), shift_prev(kept, 0), shift_next(kept, 0),
        _window_mean(kept, 2), _window_mean(kept, 5), shift_prev(log_counts, 0), shift_next(log_counts, 0),
        np.log1p(nearest), (cum - kept) / max(total, 1), (total - cum) / max(total, 1), np.log1p(run),
        np.full(n, total / n),
    ]).astype(np.float32)


def _nearest(idx: np.ndarray, kept_idx: np.ndarray) -> np.ndarray:
    """Distance from each line to the nearest kept line."""
    pos = np.searchsorted(kept_idx, idx)
    left = kept_idx[np.clip(pos - 1, 0, len(kept_idx) - 1)]
    right = kept_idx[np.clip(pos, 0, len(kept_idx) - 1)]
    return np.minimum(np.abs(idx - left), np.abs(right - idx)).astype(np.float64)
