"""Sentence-level augmentation of NER training documents toward how news is written.

The training sources are mostly Wikipedia-derived or historical; news differs in two ways a
compact CNN does not learn from them:
  - datelines and agency credits ("Madrid, 23 may (EFE) .-", "BERLIN (dpa) -", "... (Lusa)"):
    the agency is an organisation, the dateline city a place, and Wikipedia has neither;
  - upper-case text (headlines, sports results, datelines): hash features of the word's
    prefix, suffix and shape change with the case, so names in capitals look unseen.

`augment_documents` adds a dateline or a trailing credit to a share of documents and
upper-cases another share. Cities come from the training data's own place names; agencies
are the major wire services of each language (generic knowledge, no benchmark text).
Seeded: the same input and seed give the same output.
"""

from __future__ import annotations

import random

from babel.dates import get_month_names

# Wire services whose credit appears in each language's news (national agencies first).
AGENCIES: dict[str, tuple[str, ...]] = {
    "de": ("dpa", "AFP", "Reuters", "AP", "KNA", "epd", "APA", "SDA", "AFX"),
    "es": ("EFE", "Europa Press", "AFP", "Reuters", "AP", "Servimedia", "Notimex", "Télam", "ANSA"),
    "it": ("ANSA", "Adnkronos", "AGI", "Askanews", "LaPresse", "Dire", "Reuters", "AFP"),
    "pt": ("Lusa", "Agência Brasil", "Estadão Conteúdo", "Folhapress", "Reuters", "AFP", "EFE"),
    "nl": ("ANP", "Belga", "Reuters", "AFP", "AP", "Novum"),
    "ru": ("ТАСС", "РИА Новости", "Интерфакс", "ПРАЙМ", "Reuters", "AFP"),
    "pl": ("PAP", "IAR", "Reuters", "AFP", "AP"),
    "uk": ("УНІАН", "Укрінформ", "Інтерфакс-Україна", "РБК-Україна", "Reuters", "AFP"),
}
# Shares of training documents changed. 0.10 / 0.05: enough to be learned without making
# datelines or capitals a large part of what the model sees (every fifth document at most).
DATELINE_SHARE = 0.10
UPPER_SHARE = 0.05


def _tagged(words: list[str], label: str | None) -> list[tuple[str, str]]:
    if label is None:
        return [(w, "O") for w in words]
    return [(w, ("B-" if i == 0 else "I-") + label) for i, w in enumerate(words)]


def place_names(sentences: list[dict]) -> list[list[str]]:
    """The distinct one- or two-word LOC names of `sentences` (token lists), in first-seen order."""
    seen, out = set(), []
    for s in sentences:
        tags = s["tags"]
        i = 0
        while i < len(tags):
            if tags[i] == "B-LOC":
                j = i + 1
                while j < len(tags) and tags[j] == "I-LOC":
                    j += 1
                name = tuple(s["tokens"][i:j])
                if len(name) <= 2 and name not in seen and all(w[:1].isupper() for w in name):
                    seen.add(name)
                    out.append(list(name))
                i = j
            else:
                i += 1
    return out


def dateline(lang: str, rng: random.Random, cities: list[list[str]]) -> tuple[list[tuple[str, str]], bool]:
    """A random dateline or credit as (token, tag) pairs, and whether it goes before the text."""
    agency = AGENCIES[lang][min(int(rng.expovariate(0.6)), len(AGENCIES[lang]) - 1)].split()
    city = rng.choice(cities)
    if rng.random() < 0.3:
        city = [w.upper() for w in city]
    months = list(get_month_names("abbreviated", locale=lang).values())
    style = rng.randrange(4)
    if style == 0:    # BERLIN (dpa) -
        return _tagged(city, "LOC") + [("(", "O")] + _tagged(agency, "ORG") + [(")", "O"), ("-", "O")], True
    if style == 1:    # Madrid , 23 may ( EFE ) .-
        day, month = str(rng.randint(1, 28)), rng.choice(months).rstrip(".")
        return (_tagged(city, "LOC") + [(",", "O"), (day, "O"), (month, "O"), ("(", "O")]
                + _tagged(agency, "ORG") + [(")", "O"), (".-", "O")]), True
    if style == 2:    # Roma , ( ANSA ) –
        return _tagged(city, "LOC") + [(",", "O"), ("(", "O")] + _tagged(agency, "ORG") + [(")", "O"), ("–", "O")], True
    return [("(", "O")] + _tagged(agency, "ORG") + [(")", "O")], False   # ... text ( Lusa )


def augment_documents(lang: str, docs: list[list[dict]], seed: int) -> list[list[dict]]:
    """Return `docs` (lists of sentences {"tokens", "tags", ...}) with DATELINE_SHARE of them
    given a dateline or agency credit and UPPER_SHARE upper-cased; the rest unchanged."""
    if lang not in AGENCIES:
        return docs
    rng = random.Random(seed)
    cities = place_names(s for doc in docs for s in doc) or [["Roma"]]
    out = []
    for doc in docs:
        roll = rng.random()
        if roll < DATELINE_SHARE and doc:
            pairs, before = dateline(lang, rng, cities)
            words, tags = [w for w, _ in pairs], [t for _, t in pairs]
            if before:
                first = doc[0]
                doc = [{**first, "tokens": words + first["tokens"], "tags": tags + first["tags"]}, *doc[1:]]
            else:
                last = doc[-1]
                doc = [*doc[:-1], {**last, "tokens": last["tokens"] + words, "tags": last["tags"] + tags}]
        elif roll < DATELINE_SHARE + UPPER_SHARE:
            doc = [{**s, "tokens": [w.upper() for w in s["tokens"]]} for s in doc]
        out.append(doc)
    return out
