"""One label vocabulary for analysts: every model's entity label mapped to a `kind`.

Models label differently (en_core_web_sm: PERSON, GPE, ORG, DATE, CARDINAL, …; the
WikiNER-style models: PER, LOC, ORG, MISC; spaCy's Polish: persName, placeName, …). The
`kind` column lets one query ask "which people" across languages. Named kinds are
`person`, `organisation`, `place` and `other` (any other name: events, works, products,
nationalities, laws); the numeric and temporal labels of the English model get kinds of
their own (`date`, `time`, `money`, `percent`, `quantity`, `number`, `ordinal`), so
summaries for people can leave them out.
"""

from __future__ import annotations

NAMED_KINDS = ("person", "organisation", "place", "other")
NUMERIC_KINDS = ("date", "time", "money", "percent", "quantity", "number", "ordinal")

KIND_OF_LABEL: dict[str, str] = {
    # people
    "PERSON": "person", "PER": "person", "persName": "person",
    # organisations
    "ORG": "organisation", "orgName": "organisation",
    # places
    "GPE": "place", "LOC": "place", "FAC": "place", "placeName": "place", "geogName": "place",
    # other names
    "NORP": "other", "MISC": "other", "EVENT": "other", "WORK_OF_ART": "other", "PRODUCT": "other",
    "LAW": "other", "LANGUAGE": "other",
    # numbers and times (OntoNotes labels of the English model)
    "DATE": "date", "TIME": "time", "MONEY": "money", "PERCENT": "percent", "QUANTITY": "quantity",
    "CARDINAL": "number", "ORDINAL": "ordinal",
}


def kind_of(label: str) -> str:
    """Return the analyst-facing kind of a model label; unknown labels are `other` names."""
    return KIND_OF_LABEL.get(label, "other")
