"""Texts longer than a spaCy model accepts get their entities, in pieces, offsets into the whole text."""

from datetime import datetime, timezone

import pytest

from newsetl.tasks import ner_pieces
from newsetl.tasks.entities import extract_entities
from newsetl.tasks.models import load_ner
from newsetl.tasks.ner_pieces import pieces
from newsetl.tasks.records import Article


def test_pieces_cut_after_line_breaks_and_cover_the_text_exactly():
    text = "".join(f"Line {k} of an invented transcript, said the clerk.\n" for k in range(200))
    cut = pieces(text, limit=500)
    assert len(cut) > 1 and all(len(piece) <= 500 for _, piece in cut)
    assert "".join(piece for _, piece in cut) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in cut)
    assert all(piece.endswith("\n") for _, piece in cut[:-1])


def test_a_line_longer_than_a_piece_is_cut_after_a_space_else_anywhere():
    spaced = "word " * 300
    assert all(piece.endswith(" ") for _, piece in pieces(spaced, limit=100)[:-1])
    solid = "x" * 1050
    assert [len(piece) for _, piece in pieces(solid, limit=500)] == [500, 500, 50]


def test_short_text_is_one_piece():
    assert pieces("Angela Merkel visited Paris.") == [(0, "Angela Merkel visited Paris.")]


@pytest.fixture
def small_english_model(monkeypatch):
    """The English model with spaCy's length limit far below the test text (as its real
    1,000,000-character limit is below a giant page), and pieces below that."""
    nlp = load_ner("en")
    monkeypatch.setattr(nlp, "max_length", 3_000)
    monkeypatch.setattr(ner_pieces, "PIECE_CHARS", 1_000)
    return nlp


def test_a_text_over_the_models_length_limit_gets_its_entities_from_every_piece(small_english_model):
    paragraph = "The mayor of Leeds met officials from the council on Monday to discuss the new bridge.\n"
    text = paragraph * 60 + "Later that week Angela Merkel spoke in Berlin about trade.\n"
    assert len(text) > small_english_model.max_length
    with pytest.raises(ValueError, match="E088"):  # what the stage did with it before
        small_english_model(text)
    article = Article(
        doc_id="long", source_uri="test", source="test", raw_text=text, content_hash="x", input_format="text",
        fetched_at=datetime.now(timezone.utc), language="en", clean_text=text,
    )
    (done,) = extract_entities([article])
    assert done.ner_model
    found = {(e.text, e.kind) for e in done.entities}
    assert ("Leeds", "place") in found and ("Angela Merkel", "person") in found and ("Berlin", "place") in found
    assert all(text[e.start_char : e.end_char] == e.text for e in done.entities)
    leeds = [e for e in done.entities if e.text == "Leeds"]
    assert len(leeds) == 60  # one per paragraph, in every piece
    assert max(e.start_char for e in done.entities) > len(text) - 60  # offsets run to the end of the whole text


def test_only_the_first_part_of_a_giant_text_is_read_and_the_article_says_so(small_english_model, monkeypatch):
    monkeypatch.setattr(ner_pieces, "MAX_NER_CHARS", 2_500)
    paragraph = "The mayor of Leeds met officials from the council on Monday to discuss the new bridge.\n"
    text = paragraph * 60 + "Later that week Angela Merkel spoke in Berlin about trade.\n"
    article = Article(
        doc_id="giant", source_uri="test", source="test", raw_text=text, content_hash="x", input_format="text",
        fetched_at=datetime.now(timezone.utc), language="en", clean_text=text, notes=("published_at '0001' dropped",),
    )
    (done,) = extract_entities([article])
    assert done.entities and max(e.end_char for e in done.entities) <= 2_500
    assert "Angela Merkel" not in {e.text for e in done.entities}
    assert done.notes == ("published_at '0001' dropped", f"entities from the first 2,500 of {len(text):,} characters of clean text")
    (again,) = extract_entities([done])  # a reprocess: the note is not repeated
    assert again.notes == done.notes
