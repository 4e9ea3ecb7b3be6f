"""models/train.py: how training sentences become spaCy documents (no training here)."""

from spacy.lang.nl import Dutch

from newsetl.models.train import MISC_SOURCES, make_doc

# Invented sentences, tagged as the bench's training files are (BIO over PER/LOC/ORG/MISC).
SENTENCE = {
    "tokens": ["De", "Amerikaanse", "minister", "Jan", "Pieters", "bezocht", "Gent", "."],
    "tags": ["O", "B-MISC", "O", "B-PER", "I-PER", "O", "B-LOC", "O"],
}


def _labels(doc) -> dict[str, str]:
    return {e.text: e.label_ for e in doc.ents}


def test_misc_is_missing_annotation_by_default():
    doc = make_doc(Dutch().vocab, [{**SENTENCE, "source": "wikineural"}])
    assert _labels(doc) == {"Jan Pieters": "PER", "Gent": "LOC"}
    adjective = doc[1]
    assert adjective.ent_iob == 0  # neither an entity nor "outside": no gradient either way
    assert doc[0].ent_iob_ == "O" and doc[2].ent_iob_ == "O"


def test_misc_is_learned_only_from_the_sources_that_annotate_it():
    annotating = next(iter(sorted(MISC_SOURCES)))
    doc = make_doc(Dutch().vocab, [{**SENTENCE, "source": annotating}, {**SENTENCE, "source": "wikiann"}], MISC_SOURCES)
    first, second = doc[: len(SENTENCE["tokens"])], doc[len(SENTENCE["tokens"]) + 1:]
    assert [(e.text, e.label_) for e in first.ents] == [("Amerikaanse", "MISC"), ("Jan Pieters", "PER"), ("Gent", "LOC")]
    # A source outside MISC_SOURCES keeps its MISC spans missing, as before.
    assert [(e.text, e.label_) for e in second.ents] == [("Jan Pieters", "PER"), ("Gent", "LOC")]
    assert second[1].ent_iob == 0
