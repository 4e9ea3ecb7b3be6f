"""A spaCy component that fixes place names the statistical NER mislabels.

Small NER models often tag a city as a person ("Kyiv" as PERSON). This component runs
after `ner` and relabels an entity as a place when its whole text is the name of a
country, a US state or a city from GeoNames (tasks/gazetteer.place_names). It only
relabels what NER already found, and leaves a name alone when the same document also
uses it inside a longer person name ("Orlando" next to "Orlando Bloom"). Imported by
tasks/models.py, which adds it after `ner` in every pipeline it loads.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from newsetl.tasks.gazetteer import PERSON_LABELS, PLACE_COMPONENT, RELABEL_FROM, place_names


@Language.factory(PLACE_COMPONENT, default_config={"place_label": "GPE"})
def make_place_labels(nlp: Language, name: str, place_label: str) -> "PlaceLabels":
    return PlaceLabels(place_label)


class PlaceLabels:
    """Relabel whole-span place-name entities to `place_label`."""

    def __init__(self, place_label: str):
        self.place_label = place_label
        self.places = place_names()

    def __call__(self, doc: Doc) -> Doc:
        person_tokens = {
            tok.text for ent in doc.ents if ent.label_ in PERSON_LABELS and len(ent) > 1 for tok in ent
        }
        new_ents = []
        changed = False
        for ent in doc.ents:
            name = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
            if ent.label_ in RELABEL_FROM and name in self.places and name not in person_tokens:
                new_ents.append(Span(doc, ent.start, ent.end, label=self.place_label))
                changed = True
            else:
                new_ents.append(ent)
        if changed:
            doc.ents = new_ents
        return doc
