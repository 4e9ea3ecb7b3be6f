"""Headline finding: the title line above the body."""

from __future__ import annotations

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.language import normalise_line

# A headline has at least this many words (mastheads and section labels have fewer).
HEADLINE_MIN_WORDS = 4
# How far above the body the headline is looked for, in non-blank lines.
HEADLINE_SEARCH_LINES = 8


# A headline is at most this many words: longer lines are sentences of the body.
HEADLINE_MAX_WORDS = 25


def _not_a_headline(line: str) -> bool:
    return bool(
        ph.WIDGET_LINE.match(line) or ph.END_OF_ARTICLE.match(line) or ph.COPYRIGHT_LINE.search(line)
        or ph.BYLINE_LINE.match(line) or ph.is_menu_line(line) or ph.DATE_LINE.search(line)
    )


def headline_like(line: str, n_words: int) -> bool:
    """Whether a line (of `n_words` words) could be a headline: HEADLINE_MIN_WORDS to
    HEADLINE_MAX_WORDS words, no sentence end, no chrome, byline or date wording."""
    return HEADLINE_MIN_WORDS <= n_words <= HEADLINE_MAX_WORDS and not line.rstrip().endswith((".", "…")) and not _not_a_headline(line)


def find_headline(lines: list[tuple[int, str]], n_words: dict[int, int], title: str | None, body_start: int | None) -> int | None:
    """Return the line number of the headline.

    The line matching `title` when it is known; otherwise the nearest title-like line
    above the body (HEADLINE_MIN_WORDS+ words, not chrome, byline or date), or an earlier
    one when only bylines and dates stand between the two (the nearer one is then a deck).
    """
    if title:
        key = normalise_line(title)
        for no, line in lines:
            if normalise_line(line) == key:
                return no

    def title_like(no: int, line: str) -> bool:
        return n_words[no] >= HEADLINE_MIN_WORDS and not _not_a_headline(line)

    if body_start is None:
        return next((no for no, line in lines if title_like(no, line)), None)
    above = [(no, line) for no, line in lines if no < body_start][::-1][:HEADLINE_SEARCH_LINES]
    headline, crossed_meta = None, False
    for no, line in above:
        if headline is None:
            if title_like(no, line):
                headline = no
            continue
        if ph.BYLINE_LINE.match(line) or ph.DATE_LINE.search(line):
            crossed_meta = True
        elif crossed_meta and title_like(no, line):
            return no
        else:
            break
    return headline
