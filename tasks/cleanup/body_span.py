"""Body finding (text mode): cut the page into segments, pick the article's run of paragraphs."""

from __future__ import annotations

from collections import Counter

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.cleanup.line_signals import (
    CHROME_SENTENCE_MAX_WORDS,
    SENTENCE_END,
    SHORT_LINE_WORDS,
    is_sentence,
)
from newsetl.tasks.cleanup.lists import list_items
from newsetl.tasks.language import normalise_line

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


def _comment_stamps(lines, n_words) -> set[int]:
    """Return the lines that stamp a reader comment: a date with a time ("August 8, 2018
    at 3:17 pm") right under a name of one to four words — all but the first on the page,
    which may be the article's own byline and date — when there are at least two."""
    stamps = {
        no for (_, previous), (no, line) in zip(lines, lines[1:])
        if n_words[no] <= 10 and ph.COMMENT_STAMP.match(line) and ph.DATE_LINE.search(line)
        and 1 <= len(previous.split()) <= 4 and previous[:1].isupper() and not SENTENCE_END.search(previous)
    }
    later = sorted(stamps)[1:]  # the first one is the article's own date when the page has one
    return set(later) if len(later) >= 2 else set()


def body_span(lines, n_words, prose, stops) -> tuple[int | None, int | None]:
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
        if no in prose or is_sentence(line, n_words[no], stops):
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
        sentences = [no for no, _ in lines if n_words[no] >= SHORT_LINE_WORDS and is_sentence(text_of[no], n_words[no], stops)]
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
    listed = list_items(lines, n_words)
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
        if not is_sentence(text_of[no], n_words[no], stops):
            break
        end = no
    return start, end
