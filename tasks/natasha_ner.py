"""Russian NER by natasha (slovnet's news NER, MIT, weights inside its PyPI wheel) as a spaCy component.

Used for ru when it scores clearly better than the shipped spaCy model on the news dev set
(bench/ner.py; models/README.md has the figures). natasha segments and tags the text
itself; its PER/LOC/ORG character spans become the doc's entities (snapped outward to
spaCy's tokens).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

NATASHA_COMPONENT = "newsetl_natasha_ner"


@lru_cache(maxsize=1)
def _natasha():
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def natasha_available() -> bool:
    """True when natasha is installed."""
    import importlib.util

    return importlib.util.find_spec("natasha") is not None


@Language.factory(NATASHA_COMPONENT)
def make_natasha_ner(nlp: Language, name: str) -> "NatashaNER":
    return NatashaNER()


class NatashaNER:
    """Set doc.ents from natasha's spans (labels PER, LOC, ORG)."""

    def __call__(self, doc: Doc) -> Doc:
        from natasha import Doc as NatashaDoc

        segmenter, tagger = _natasha()
        ndoc = NatashaDoc(doc.text)
        ndoc.segment(segmenter)
        ndoc.tag_ner(tagger)
        spans = [doc.char_span(s.start, s.stop, label=s.type, alignment_mode="expand") for s in ndoc.spans]
        doc.ents = filter_spans([s for s in spans if s is not None])
        return doc
