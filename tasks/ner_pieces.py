"""NER over texts of any length.

spaCy refuses a text longer than its `max_length` (1,000,000 characters: error E088), and a
pipeline's memory grows with the length of the text it holds. A page whose clean text was
that long (a whole report, a transcript, a giant table that cleanup kept) was quarantined at
the entities stage with spaCy's error, and the article lost with it. Now a long text is cut
into pieces of at most PIECE_CHARS, at line breaks where it can be; each piece goes through
the model and the entity offsets are shifted back into the whole text. Only the first
MAX_NER_CHARS of a text are read: the article is stored whole, and tasks/entities.py notes
that its entities come from its beginning. A text of up to PIECE_CHARS goes through whole,
as before: nothing changes for news articles, which are a few thousand characters.
"""

from __future__ import annotations

Span = tuple[int, int, str]  # start_char, end_char, label

# Far below spaCy's max_length, so that one piece's Doc stays small; far above a news
# article, so that articles are read whole as before. Not calibrated: in a text longer than
# this, an entity cannot span two pieces (they end at line breaks where the text has them)
# and the place relabeller (tasks/place_labels.py) sees one piece at a time.
PIECE_CHARS = 100_000
# spaCy's own max_length: what one text could ever give the model before. Reading more costs
# time and memory for pages that are rarely news: a 5.4M-character page read whole took
# 136 s of NER (past the stage's 60 s per-article deadline, so it was quarantined all the
# same). At this bound NER of one text takes 12-15 s here.
MAX_NER_CHARS = 1_000_000


def pieces(text: str, limit: int | None = None) -> list[tuple[int, str]]:
    """Cut `text` into [(offset, piece)] with `text[offset:offset + len(piece)] == piece`,
    each piece at most `limit` characters (default PIECE_CHARS): after the last line break
    that fits, else after the last space, else at `limit`. A text of up to `limit` is one piece."""
    limit = PIECE_CHARS if limit is None else limit
    out, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = window.rfind("\n") + 1 or window.rfind(" ") + 1 or limit
        out.append((start, text[start : start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


def entity_spans(nlp, texts: list[str], batch_size: int) -> list[list[Span]]:
    """Return the entity spans (start, end, label) of each text, offsets into the whole text:
    the texts of one piece in one `nlp.pipe` pass of `batch_size`, as before; the pieces of
    the longer ones' first MAX_NER_CHARS one at a time, since the model's memory grows with
    the text it holds at once (all ten pieces of a long text in one batch: +1.2 GB)."""
    spans: list[list[Span]] = [[] for _ in texts]
    whole, cut = [], []
    for index, text in enumerate(texts):
        if len(text) <= PIECE_CHARS:
            whole.append(index)
        else:
            cut.extend((index, offset, piece) for offset, piece in pieces(text[:MAX_NER_CHARS]))
    for index, doc in zip(whole, nlp.pipe([texts[i] for i in whole], batch_size=batch_size)):
        spans[index].extend((e.start_char, e.end_char, e.label_) for e in doc.ents)
    for (index, offset, _), doc in zip(cut, nlp.pipe([piece for _, _, piece in cut], batch_size=1)):
        spans[index].extend((offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents)
    return spans
