"""Russian NER by natasha (slovnet's news NER, MIT, weights inside its PyPI wheel) as a spaCy component.

Used for ru when it scores clearly better than the shipped spaCy model on the news dev set
(bench/ner.py; models/README.md has the figures). The pipeline tokenizes with
natasha's own tokenizer (razdel), so natasha's PER/LOC/ORG character spans fall on token
boundaries and become the doc's entities as they are.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

NATASHA_COMPONENT = "newsetl_natasha_ner"
TRAILING_PUNCTUATION = ".,;:!?»\")"


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


class RazdelTokenizer:
    """A spaCy tokenizer giving razdel's tokens (what natasha tags), with the text's spacing kept."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from razdel import tokenize

        words, spaces = [], []
        for tok in tokenize(text):
            if words and tok.start > end:
                between = text[end:tok.start]
                if between == " ":
                    spaces[-1] = True
                else:  # other whitespace (newlines, runs of spaces) stays a token, as in spaCy
                    spaces[-1] = False
                    if between.startswith(" "):
                        spaces[-1], between = True, between[1:]
                    words.append(between)
                    spaces.append(False)
            elif not words and tok.start > 0:
                words.append(text[:tok.start])
                spaces.append(False)
            words.append(tok.text)
            spaces.append(False)
            end = tok.stop
        if words and end < len(text):
            tail = text[end:]
            if tail.startswith(" "):
                spaces[-1], tail = True, tail[1:]
            if tail:
                words.append(tail)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)


class NatashaNER:
    """Set doc.ents from natasha's spans (labels PER, LOC, ORG)."""

    def __call__(self, doc: Doc) -> Doc:
        from natasha import Doc as NatashaDoc

        segmenter, tagger = _natasha()
        ndoc = NatashaDoc(doc.text)
        ndoc.segment(segmenter)
        ndoc.tag_ner(tagger)
        spans = []
        for s in ndoc.spans:
            stop = s.stop
            # natasha's spans sometimes take the next token's punctuation ("Газпром.")
            while stop > s.start and doc.text[stop - 1] in TRAILING_PUNCTUATION:
                stop -= 1
            spans.append(doc.char_span(s.start, stop, label=s.type, alignment_mode="contract"))
        doc.ents = filter_spans([s for s in spans if s is not None])
        return doc
