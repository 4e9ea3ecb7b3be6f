"""Cleanup: strip site chrome, keep the headline once, section headings and body paragraphs.

Text mode (plain text, one block per line, chrome and all): the page is cut into
segments at end-of-article lines (comment headers, share bars, related lists) and long
runs of non-sentences; the segment with the most paragraph words (comments and teasers
discounted) is the body. Lines are then classified on general signals: position
(above the headline, after the body), length and sentence punctuation, stop-word
density, generic chrome phrasing in several languages, lines in another language than
the body, lines repeated within the page.

HTML mode: trafilatura extracts the main text; lines that are chrome by their wording are
dropped from it, and when the extractor stopped early the text-mode body continues it.

Every dropped line is returned with one of the REASONS codes; bylines and wire credits
become article metadata rather than disappearing. Thresholds below are calibrated on
../shared/bench/cleanup (scrapinghub + seeds): re-run bench/cleanup.py when changing them.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import trafilatura
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks import store
from dateparser.data.languages_info import language_order as dateparser_language_order

from newsetl.tasks.dates import parse_dateline
from newsetl.tasks.html_text import html_to_lines
from newsetl.tasks.language import line_language_votes, normalise_line, stop_words, words
from newsetl.tasks.records import Article, Quarantined, RemovedLine, StageOutput
from newsetl.tasks.source_chrome import SourceHistory, learned_chrome, line_key, page_line_keys

VERSION = "cleanup-lines.v2"

REASONS = {
    "duplicate": "repeats an earlier line of the page (repeated headline, masthead)",
    "widget": "call-to-action or widget phrasing: share, comments, related/more news, newsletter, cookies, ads",
    "copyright": "copyright or rights line",
    "byline": "author line; the name is kept in articles.byline",
    "credit": "wire or staff credit line; kept in articles.attribution",
    "caption": "photo caption (a line that ends with its photo credit)",
    "foreign_language": "short line in another language than the body",
    "navigation": "short fragment above the headline or before the body: masthead, section label, breadcrumb",
    "dateline": "date or 'posted/updated' line above the body",
    "after_body": "line after the end of the article: comments, related stories, tags, footer",
    "not_main_content": "HTML block the main-text extractor left out",
    "source_chrome": "line that recurs on many pages of the same source (learnt from history)",
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
# How far above the body the headline is looked for, in non-blank lines.
HEADLINE_SEARCH_LINES = 8
# Date lines are short; a longer line with a date in it is a sentence.
DATELINE_MAX_WORDS = 16
# Prose has at least this share of stop words in the page's language (English news
# paragraphs: 0.35-0.55; lists of headlines and names: below 0.15). Seeds + scrapinghub.
MIN_STOPWORD_SHARE = 0.15
# This many consecutive lines that are not sentences end a segment (a related list).
MAX_NON_PROSE_RUN = 6
# Weight of prose after a comment header / after another end-of-article line when the
# body segment is chosen (scrapinghub: comment sections often outweigh the article).
COMMENTS_WEIGHT = 0.2
AFTER_END_WEIGHT = 0.5
# ... after a header announcing other stories ("You may also like", "Leia também"):
# scrapinghub text F1 at 0.5 -> 0.904, 0.3 -> 0.905, 0.2 -> 0.910, 0.1 -> 0.910 ...
RELATED_WEIGHT = 0.2
# ... unless the segment holds this many consecutive paragraphs: then it is the article,
# flattened below a sidebar box (4-5 -> 0.904, 6 -> 0.910, 8-15 -> 0.911).
ARTICLE_RUN_LINES = 8
# A line of at most this many words that ends with a photo credit is a caption.
CAPTION_MAX_WORDS = 60
# An inline box (related headlines, captions) that the body is followed across has at
# most this many lines; a longer block of short lines (a product list, a menu) ends it
# (scrapinghub text F1: 6 -> 0.915, 8 or more -> 0.914).
INLINE_BOX_MAX_LINES = 6
# ... and after a line that opens a reader comment (ph.COMMENT_AUTHOR_LINE): a thread is
# never the article while another segment has prose (scrapinghub: a blog's open thread
# with 3,000 words of comments under a 70-word post).
COMMENT_THREAD_WEIGHT = 0.0
# A prose line with no prose line next to it (teaser summaries, comments between user
# names and dates) counts this share of its words (scrapinghub).
ISOLATED_PROSE_WEIGHT = 0.25
# A lone paragraph more than this many lines above the rest of the body is a teaser.
LEAD_GAP_LINES = 4
# HTML mode: favor_precision extraction shorter than this falls back to default settings.
MIN_EXTRACTED_WORDS = 30
# HTML mode: the text-mode body continues the extraction when it holds this share of the
# extractor's lines and goes on after them for this many times the extraction's words
# (scrapinghub: pages the extractor cut short at an inline box).
EXTRACTOR_COVERED_SHARE = 0.8
TRUNCATED_EXTRACTION_RATIO = 1.0
# ... and at least this share of the continuation's words are in consecutive paragraphs.
CONTINUATION_PAIRED_SHARE = 0.6
# A page with consent/paywall/block wording is an article only if its other lines hold at
# least this many words (semeval22: walls keep <= 20 words besides the wall text; a TV
# station's report under a "Please enable JavaScript to watch this video" notice, ~130).
WALL_BODY_MIN_WORDS = 60
# A list right after the last paragraph belongs to the article (tour dates, standings,
# specs) when it has this many items of one template, each at most LIST_ITEM_MAX_WORDS
# words, under at most a LIST_HEADING_MAX_WORDS heading (scrapinghub: billboard,
# rollingstone, cbssports).
LIST_MIN_ITEMS = 3
LIST_ITEM_MAX_WORDS = 20
LIST_HEADING_MAX_WORDS = 10
_NUMBERED_ITEM = re.compile(r"^\W{0,2}(\d{1,3})\s*[).:–-]\s+\S")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"\s(--|[–—-])\s|:\s|\s@\s|\s\(|\s\|\s|•")
# Pages longer than this (characters of raw text or HTML) are quarantined, not cleaned: four
# times the largest dev page (2.0 MB of HTML, wcxb-dev), which cleans in about a second.
MAX_PAGE_CHARS = 8_000_000
# Clean text shorter than this is flagged as not an article.
MIN_ARTICLE_WORDS = 15  # lead-only briefs of two sentences are articles (synd_dev)

# A line shorter than this that does not end like a sentence is a headline (a teaser in a
# "more stories" box), not a paragraph, even with a "?" or "." inside (scrapinghub text
# F1: off 0.900, 14 words 0.900, 17 0.905, 20 0.903, 30 0.901, 40 0.899).
TEASER_MAX_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_HAS_SENTENCE_PUNCT = re.compile(r"[.!?…]")


@dataclass(frozen=True)
class CleanResult:
    """What cleanup makes of one text: the body paragraphs, the headline, the removed lines."""

    body: str  # paragraphs separated by blank lines, headline not included
    removed: tuple[RemovedLine, ...]
    title: str | None
    byline: str | None
    attribution: str | None
    published: datetime | None = None
    published_from: str | None = None  # "dateline" or "html_metadata"

    @property
    def clean_text(self) -> str:
        """The stored clean text: the headline once, then the body."""
        return "\n\n".join(part for part in (self.title, self.body) if part)


def clean_text(
    text: str, language: str | None, title: str | None = None, trust_extraction: bool = False,
    source_chrome: frozenset[str] = frozenset(),
) -> CleanResult:
    """Classify the lines of a flattened page into body and chrome.

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
    prose = {no for no, line in lines if no not in learnt and _is_prose(line, n_words[no], lang_stops)}
    if trust_extraction:
        body_start, body_end = (lines[0][0], lines[-1][0]) if lines else (None, None)
    else:
        body_start, body_end = _body_span(lines, n_words, prose, lang_stops)
        body_end = _list_after_body(lines, n_words, prose, body_end)
    headline_no = _find_headline(lines, n_words, title, body_start)
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
            attribution = attribution or _wire_name(line)
        elif (match := ph.BYLINE_LINE.match(line)) and count <= 12 and not (in_body and no in prose):
            reason, byline = "byline", byline or match.group("name")
            if ph.DATE_LINE.search(line):
                published = published or _dateline_date(line, language)
        elif _is_caption(line, count):
            reason = "caption"
        elif ph.CREDIT_LINE.match(line) and count <= CHROME_SENTENCE_MAX_WORDS and (not in_body or count <= 3):
            reason = "credit"
            attribution = attribution or _wire_name(line) or line
        elif ph.WIDGET_LINE.match(line) and count <= (WIDGET_IN_BODY_MAX_WORDS if in_body else CHROME_SENTENCE_MAX_WORDS):
            reason = "widget"
        elif ph.is_menu_line(line) and not trust_extraction:
            reason = "navigation"
        elif count <= SHORT_LINE_WORDS and not trust_extraction and _is_foreign(line, lang_stops, loose=not in_body):
            reason = "foreign_language"
        elif before_body and ph.DATE_LINE.search(line) and count <= DATELINE_MAX_WORDS:
            reason = "dateline"
            published = published or _dateline_date(line, language)
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
            attribution = attribution or _dateline_wire(line)
        kept.append(line)

    headline = next((line for no, line in lines if no == headline_no), None)
    body = kept[1:] if headline is not None and kept and kept[0] == headline else kept
    return CleanResult(
        "\n\n".join(body), tuple(removed), headline or title, byline, attribution, published, "dateline" if published else None
    )


def _is_prose(line: str, count: int, stops: frozenset[str]) -> bool:
    """A body paragraph: long enough, with sentence punctuation, function words, no chrome wording."""
    if count < PARAGRAPH_MIN_WORDS or not _HAS_SENTENCE_PUNCT.search(line):
        return False
    if count < TEASER_MAX_WORDS and not _SENTENCE_END.search(line):
        return False
    if ph.is_glued_teaser(line):  # a headline and its summary flattened together
        return False
    if _is_caption(line, count):
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


def _is_caption(line: str, count: int) -> bool:
    """A photo caption: a line of at most CAPTION_MAX_WORDS words that ends with its credit."""
    return count <= CAPTION_MAX_WORDS and bool(ph.PHOTO_CAPTION.search(line))


def _is_chrome_line(line: str) -> bool:
    """A line that is chrome by its own wording: end-of-article header, widget or menu."""
    return bool(ph.END_OF_ARTICLE.match(line) or ph.WIDGET_LINE.match(line) or ph.is_menu_line(line))


def _is_sentence(line: str, count: int, stops: frozenset[str]) -> bool:
    """A short paragraph that may close an article ("He declined to comment.")."""
    if count < 3 or not _SENTENCE_END.search(line) or ph.WIDGET_LINE.match(line) or ph.END_OF_ARTICLE.match(line):
        return False
    return not stops or any(t in stops for t in words(line))


def _comment_stamps(lines, n_words) -> set[int]:
    """Return the lines that stamp a reader comment: a date with a time ("August 8, 2018
    at 3:17 pm") right under a name of one to four words — all but the first on the page,
    which may be the article's own byline and date — when there are at least two."""
    stamps = {
        no for (_, previous), (no, line) in zip(lines, lines[1:])
        if n_words[no] <= 10 and ph.COMMENT_STAMP.match(line) and ph.DATE_LINE.search(line)
        and 1 <= len(previous.split()) <= 4 and previous[:1].isupper() and not _SENTENCE_END.search(previous)
    }
    later = sorted(stamps)[1:]  # the first one is the article's own date when the page has one
    return set(later) if len(later) >= 2 else set()


def _body_span(lines, n_words, prose, stops) -> tuple[int | None, int | None]:
    """Return the first and last line numbers of the article body.

    The page is cut into segments at end-of-article lines (comment headers, share bars,
    related lists, tags) and at runs of MAX_NON_PROSE_RUN lines that are not sentences.
    The body is the segment with the most prose words; a segment that follows a comment
    header counts COMMENTS_WEIGHT of its words and one after another end-of-article line
    AFTER_END_WEIGHT, because comments and related stories follow the article.
    """
    segments: list[list[int]] = [[]]
    weights = [1.0]
    opened_by = ["start"]  # what separates a segment from the one before it
    run = 0
    stamps = _comment_stamps(lines, n_words)
    for no, line in lines:
        if no in stamps or (n_words[no] <= CHROME_SENTENCE_MAX_WORDS and ph.COMMENT_AUTHOR_LINE.match(line)):
            segments.append([])
            weights.append(COMMENT_THREAD_WEIGHT)
            opened_by.append("comments")
            run = 0
            continue
        if ph.END_OF_ARTICLE.match(line) and n_words[no] <= CHROME_SENTENCE_MAX_WORDS:
            kind = (
                "comments" if ph.COMMENTS_HEADER.match(line) else "share" if ph.SHARE_LINE.match(line)
                else "related" if ph.RELATED_HEADER.match(line) else "end"
            )
            segments.append([])
            weights.append(min(weights[-1], {"comments": COMMENTS_WEIGHT, "related": RELATED_WEIGHT, "share": 1.0, "end": AFTER_END_WEIGHT}[kind]))
            opened_by.append(kind)
            run = 0
            continue
        if no in prose or _is_sentence(line, n_words[no], stops):
            run = 0
        else:
            run += 1
            if run == MAX_NON_PROSE_RUN and segments[-1]:
                segments.append([])
                weights.append(weights[-1])
                opened_by.append("gap")
        segments[-1].append(no)
    text_of = dict(lines)
    order = [no for no, _ in lines]
    neighbours = {no: {order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None} for i, no in enumerate(order)}
    key_counts = Counter(normalise_line(line) for _, line in lines)

    def mass(no: int) -> float:
        if key_counts[normalise_line(text_of[no])] > 1:
            return 0.0  # a paragraph printed twice on one page is a teaser or a widget
        # Paragraphs come in runs; a prose line alone between short lines is a teaser or a comment.
        return n_words[no] * (1.0 if neighbours[no] & prose else ISOLATED_PROSE_WEIGHT)

    def longest_run(seg: list[int]) -> int:
        best = run = 0
        for no in seg:
            run = run + 1 if no in prose and mass(no) else 0
            best = max(best, run)
        return best

    # A sidebar box ("Most Popular") flattened above the article must not discount the
    # article: a long run of consecutive paragraphs after a related-stories header is body.
    weights = [
        1.0 if kind in ("related", "end") and longest_run(seg) >= ARTICLE_RUN_LINES else w
        for seg, w, kind in zip(segments, weights, opened_by)
    ]
    scores = [w * sum(mass(no) for no in seg if no in prose) for seg, w in zip(segments, weights)]
    best = max(range(len(segments)), key=lambda i: (scores[i], -i)) if segments else None
    if best is None or scores[best] == 0:  # a brief: short sentences only
        sentences = [no for no, _ in lines if n_words[no] >= SHORT_LINE_WORDS and _is_sentence(text_of[no], n_words[no], stops)]
        return (sentences[0], sentences[-1]) if sentences else (None, None)
    # An article broken by an inline "Related:" box or a run of captions goes on in the
    # next segment when that one again holds consecutive paragraphs (teasers and comments
    # do not); a comment header is never crossed.
    def dense(i: int) -> bool:
        return any(no in prose and neighbours[no] & prose and mass(no) for no in segments[i])

    def continues(i: int) -> bool:
        return i < len(segments) and opened_by[i] != "comments"

    last = best
    while True:
        if continues(last + 1) and dense(last + 1):
            last += 1
        elif (
            continues(last + 1) and continues(last + 2) and not scores[last + 1]
            and len(segments[last + 1]) <= INLINE_BOX_MAX_LINES and dense(last + 2)
        ):
            last += 2  # a box of headlines or captions inside the article
        else:
            break
    segment = [no for seg in segments[best : last + 1] for no in seg]
    core = [no for no in segment if no in prose and mass(no)]
    # Teasers trail and lead articles: a prose line with no prose neighbour, set apart
    # from the rest of the body by other lines, is not part of it (a standfirst above the
    # headline's repeats and the byline stays: LEAD_GAP_LINES).
    # Items of a list between two paragraphs do not set them apart.
    listed = _list_items(lines, n_words)
    position, counted = {}, 0
    for no in segment:
        position[no] = counted
        counted += no not in listed
    while len(core) > 1 and not neighbours[core[-1]] & prose and position[core[-1]] - position[core[-2]] > 2:
        core.pop()
    while len(core) > 1 and not neighbours[core[0]] & prose and position[core[1]] - position[core[0]] > LEAD_GAP_LINES:
        core.pop(0)
    start, end = core[0], core[-1]
    for no in segment[segment.index(end) + 1 :]:  # closing short paragraphs right after the last one
        if not _is_sentence(text_of[no], n_words[no], stops):
            break
        end = no
    return start, end


def _list_shape(line: str, count: int) -> tuple[str, str] | None:
    """The template of a list item — what its first token is (number, month, word) and
    the first separator it uses (" – ", ": ", " @ ", " (", " | ", "•") — or None for a
    line that is too long or has no separator."""
    if count > LIST_ITEM_MAX_WORDS or _URL.search(line):  # "Listen: https://…" lines are links
        return None
    separator = _LIST_SEPARATOR.search(line)
    if not separator:
        return None
    first = line.split()[0]
    kind = "number" if first[0].isdigit() else "month" if ph.DATE_LINE.match(line) else "word"
    return kind, separator.group().strip()


def _list_items(lines, n_words) -> set[int]:
    """Return the line numbers of list items: runs of at least LIST_MIN_ITEMS consecutive
    lines of one `_list_shape`."""
    items: set[int] = set()
    run: list[int] = []
    shape = None
    for no, line in [*lines, (None, "")]:
        current = _list_shape(line, n_words[no]) if no is not None else None
        if current is not None and current == shape:
            run.append(no)
            continue
        if len(run) >= LIST_MIN_ITEMS:
            items.update(run)
        run, shape = ([no], current) if current is not None else ([], None)
    return items


def _numbered_list_end(after: list[tuple[int, str]]) -> int | None:
    """If `after` starts with a numbered list — items "1) …", "2) …" (or "1." / "1 –")
    counting up, at most two other lines (a link, a note) after each — return the line
    number where it ends, else None."""
    expected, items, last, between, gaps = None, 0, None, 0, []
    for no, line in after:
        match = _NUMBERED_ITEM.match(line)
        number = int(match.group(1)) if match else None
        if number is not None and (number == expected or (expected is None and number in (0, 1))):
            if items:
                gaps.append(between)
            expected, items, last, between = number + 1, items + 1, no, 0
            continue
        if expected is None:
            return None
        between += 1
        if between > 2:
            break
    if items < LIST_MIN_ITEMS:
        return None
    # The lines that followed every item (a link each) follow the last one too.
    trailing = min(gaps) if gaps else 0
    numbers = [no for no, _ in after]
    position = numbers.index(last)
    return numbers[min(position + trailing, len(numbers) - 1)]


def _list_after_body(lines, n_words, prose, body_end: int | None) -> int | None:
    """Return the body's last line, moved past a list that directly follows the last
    paragraph (tour dates, standings, a spec sheet): an optional short heading, then at
    least LIST_MIN_ITEMS consecutive lines of one template (`_list_shape`), no chrome."""
    if body_end is None:
        return None
    after = [(no, line) for no, line in lines if no > body_end]
    first_is_item = after and (_list_shape(after[0][1], n_words[after[0][0]]) or _NUMBERED_ITEM.match(after[0][1]))
    if after and not first_is_item and n_words[after[0][0]] <= LIST_HEADING_MAX_WORDS:
        heading = after[0][1]
        if _is_chrome_line(heading):
            return body_end
        after = after[1:]
    numbered = _numbered_list_end(after)
    if numbered is not None:
        return numbered
    shape = _list_shape(after[0][1], n_words[after[0][0]]) if after else None
    if shape is None:
        return body_end
    items = []
    for no, line in after:
        if no in prose or _is_chrome_line(line) or _list_shape(line, n_words[no]) != shape:
            break
        items.append(no)
    return items[-1] if len(items) >= LIST_MIN_ITEMS else body_end


def _find_headline(lines: list[tuple[int, str]], n_words: dict[int, int], title: str | None, body_start: int | None) -> int | None:
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
        return n_words[no] >= HEADLINE_MIN_WORDS and not (
            ph.WIDGET_LINE.match(line) or ph.END_OF_ARTICLE.match(line) or ph.COPYRIGHT_LINE.search(line)
            or ph.BYLINE_LINE.match(line) or ph.is_menu_line(line) or ph.DATE_LINE.search(line)
        )

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


# ISO 639-1 codes langdetect gives that dateparser knows under another name.
_DATEPARSER_ALIASES = {"no": "nb"}


def _dateline_date(line: str, language: str | None) -> datetime | None:
    """Return the date written in a byline/date line, or None — never an exception.

    dateparser raises on languages it does not know ('und', 'no'); those are mapped to
    its name for the language or left to its own detection, and any other failure on an
    odd date ("31. februar 0000") means the line has no usable date.
    """
    code = _DATEPARSER_ALIASES.get(language or "", language)
    languages = [code] if code in dateparser_language_order else None
    try:
        return parse_dateline(line, languages)
    except Exception:  # noqa: BLE001 - a date we cannot read is no date, never a lost page
        return None


def _wire_name(line: str) -> str | None:
    match = ph.WIRE_NAME.search(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


def _dateline_wire(line: str) -> str | None:
    match = ph.WIRE_DATELINE.match(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


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
            return _with_html_metadata(replace(fallback, title=headline or fallback.title), doc)
    tail = _continuation(page_lines, language, headline, extracted, source_chrome)
    if tail:
        result = replace(result, body="\n\n".join(part for part in (result.body, *tail) if part))
        kept |= {normalise_line(line) for line in tail}
    dropped = tuple(
        RemovedLine(no, line, "not_main_content")
        for no, line in enumerate(page_lines, start=1)
        if normalise_line(line) not in kept
    )
    return _with_html_metadata(replace(result, removed=dropped + result.removed), doc)


def _with_html_metadata(result: CleanResult, doc) -> CleanResult:
    """Fill the byline and date from the extractor's page metadata (`doc`, may be None)."""
    metadata_date = _metadata_date(doc.date if doc else None)
    return replace(
        result,
        byline=result.byline or (doc.author if doc else None),
        published=metadata_date or result.published,
        published_from="html_metadata" if metadata_date else result.published_from,
    )


def _metadata_date(value: str | None) -> datetime | None:
    """Parse trafilatura's YYYY-MM-DD date (from htmldate) as midnight UTC."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc) if value else None
    except ValueError:
        return None


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


def not_article_reason(clean: str) -> str | None:
    """Return why a cleaned page is not an article (consent wall, block page, too short), or None."""
    count = len(words(clean))
    if count == 0:
        return "empty_after_cleanup"
    if count < 150 and ph.NOT_ARTICLE_PAGE.search(clean):
        # The wall's own lines aside, is there a body? ("Please enable JavaScript to watch
        # this video" above a real report is a player notice, not a wall.)
        rest = sum(
            len(words(line)) for line in clean.split("\n")
            if not ph.NOT_ARTICLE_PAGE.search(line) and len(ph.WALL_VOCABULARY.findall(line)) < 2
        )
        if rest < WALL_BODY_MIN_WORDS:
            return "consent_or_block_page"
    if count < MIN_ARTICLE_WORDS:
        return "too_short"
    return None


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
    return [_clean_article(article, chrome[article.doc_id], keys[article.doc_id]) for article in articles]


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
    for article in articles:
        try:
            done.append(_clean_article(article, chrome[article.doc_id], keys[article.doc_id]))
        except Exception as exc:  # noqa: BLE001 - one page is quarantined with its reason, the batch goes on
            failed.append(
                Quarantined(
                    article.source_uri, "cleanup", f"{type(exc).__name__}: {exc}",
                    doc_id=article.doc_id, content_hash=article.content_hash,
                )
            )
    return done, failed


class PageTooLarge(ValueError):
    """A page beyond MAX_PAGE_CHARS: quarantined rather than cleaned."""


def _clean_article(article: Article, chrome: frozenset[str], keys: frozenset[str]) -> Article:
    """Clean one page; raises PageTooLarge for a page beyond MAX_PAGE_CHARS."""
    if len(article.raw_text) > MAX_PAGE_CHARS:
        raise PageTooLarge(f"page of {len(article.raw_text):,} characters, more than the {MAX_PAGE_CHARS:,} cleanup reads")
    if article.input_format == "html":
        result = clean_html(article.raw_text, article.language, article.title, article.url, chrome)
    else:
        result = clean_text(article.raw_text, article.language, article.title, source_chrome=chrome)
    why = not_article_reason(result.clean_text)
    return (
            replace(
                article,
                clean_text=result.clean_text,
                removed_lines=result.removed,
                title=article.title or result.title,
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


@task(name="cleanup", cache_policy=NO_CACHE, persist_result=False)
def clean_task(detected: StageOutput, history: SourceHistory, page_keys: dict[str, frozenset[str]]) -> StageOutput:
    """Prefect task: `clean_articles` over the language-tagged batch, given what storage
    knows of its sources (`source_history_task`); failures quarantined."""
    started = time.perf_counter()
    done, failed = clean_batch(detected.articles, history, page_keys)
    reasons = Counter(r.reason for a in done for r in a.removed_lines)
    flagged = Counter(a.not_article_reason for a in done if not a.is_article)
    get_run_logger().info(
        "cleaned %d articles in %.1f s: removed %d lines %s; not articles: %s",
        len(done), time.perf_counter() - started, sum(reasons.values()), dict(reasons.most_common()), dict(flagged) or "none",
    )
    return detected.then(done, failed)


@task(name="source-history", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[2, 10], timeout_seconds=600)
def source_history_task(
    articles: list[Article], db_path: str, lock_timeout_s: float = 120.0
) -> tuple[SourceHistory, dict[str, frozenset[str]]]:
    """Prefect task: the batch's page line keys and what storage knows of its sources
    (read briefly, read-only), for `clean_task`, which may then run on any worker."""
    keys = {a.doc_id: page_line_keys(a) for a in articles}
    return store.source_history(db_path, articles, keys, lock_timeout_s), keys
