"""Line signals: what one line looks like on its own (prose, sentence, caption, chrome wording, another language)."""

from __future__ import annotations

import re

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.language import line_language_votes, words

# A body paragraph has at least this many words and sentence punctuation. Calibrated on
# the five seeds (shortest body paragraph: 21 words; longest chrome sentence: 7 words).
PARAGRAPH_MIN_WORDS = 12
# Lines up to this many words are "short" for the foreign-language and navigation rules.
SHORT_LINE_WORDS = 8
# Widget phrasing is trusted inside the body only on lines this short ("Read more:",
# "Share this article"); beyond the body, on any line up to CHROME_SENTENCE_MAX_WORDS.
WIDGET_IN_BODY_MAX_WORDS = 6
CHROME_SENTENCE_MAX_WORDS = 20
# Prose has at least this share of stop words in the page's language (English news
# paragraphs: 0.35-0.55; lists of headlines and names: below 0.15). Seeds + scrapinghub.
MIN_STOPWORD_SHARE = 0.15
# A line of at most this many words that ends with a photo credit is a caption.
CAPTION_MAX_WORDS = 60
# A line shorter than this that does not end like a sentence is a headline (a teaser in a
# "more stories" box), not a paragraph, even with a "?" or "." inside (scrapinghub text
# F1: off 0.900, 14 words 0.900, 17 0.905, 20 0.903, 30 0.901, 40 0.899).
TEASER_MAX_WORDS = 20
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
HAS_SENTENCE_PUNCT = re.compile(r"[.!?…]")


def is_prose(line: str, count: int, stops: frozenset[str]) -> bool:
    """A body paragraph: long enough, with sentence punctuation, function words, no chrome wording."""
    if count < PARAGRAPH_MIN_WORDS or not HAS_SENTENCE_PUNCT.search(line):
        return False
    if count < TEASER_MAX_WORDS and not SENTENCE_END.search(line):
        return False
    if ph.is_glued_teaser(line):  # a headline and its summary flattened together
        return False
    if is_caption(line, count):
        return False
    if ph.WIDGET_LINE.match(line) or ph.END_OF_ARTICLE.match(line):
        return False
    # A footer line names a copyright; a long paragraph that merely ends with one (a page
    # flattened into one block) is still the body.
    if ph.COPYRIGHT_LINE.search(line) and count <= CHROME_SENTENCE_MAX_WORDS:
        return False
    if stops:
        tokens = words(line)
        if sum(1 for t in tokens if t in stops) < MIN_STOPWORD_SHARE * len(tokens):
            return False
    return True


def is_caption(line: str, count: int) -> bool:
    """A photo caption: a line of at most CAPTION_MAX_WORDS words that ends with its credit."""
    return count <= CAPTION_MAX_WORDS and bool(ph.PHOTO_CAPTION.search(line))


def is_chrome_line(line: str) -> bool:
    """A line that is chrome by its own wording: end-of-article header, widget or menu."""
    return bool(ph.END_OF_ARTICLE.match(line) or ph.WIDGET_LINE.match(line) or ph.is_menu_line(line))


def is_sentence(line: str, count: int, stops: frozenset[str]) -> bool:
    """A short paragraph that may close an article ("He declined to comment.")."""
    if count < 3 or not SENTENCE_END.search(line) or ph.WIDGET_LINE.match(line) or ph.END_OF_ARTICLE.match(line):
        return False
    return not stops or any(t in stops for t in words(line))


def is_foreign(line: str, body_stops: frozenset[str], loose: bool) -> bool:
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
