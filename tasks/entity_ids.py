"""One identity per entity: an `entity_id` for each mention, the same across articles, languages and runs.

The rule (deterministic, so ids are stable across runs and need no stored state):
- places (kind `place`): the GeoNames id, through GeoNames names and alternate names plus
  CLDR country names (tasks/gazetteer.py): Kyiv, Kiev, Kiew, Kijów, Київ and Киев are all
  `geonames:703448`; a region (province, state, Land, oblast...) outside the US has its
  ISO 3166-2 code, by its ISO name and that name's translations (pycountry): Bavaria,
  Bayern, Bavière and Бавария are `iso3166-2:DE-BY`; a place neither knows gets a name
  key like the rest; a name several places bear gets its preferred reading here, and
  the article's other places may move it to another (tasks/place_context.py);
- everything else: `<kind>:<key>`, where the key is the canonical name transliterated to
  Latin (Russian/Ukrainian Cyrillic), stripped of accents, leading articles and
  punctuation, and folded by spelling rules that differ between languages' transliterations
  (z/s, y/j/i, w/v, sch/sz/sh, tsch/cz/ch, kh/h, doubled letters) — so Zelensky, Zelenskyy,
  Selenskyj, Zełenski, Зеленский and Зеленський are all `person:selenski`.
  Within an article, a surname alone already carries the full name (tasks/entities.py), so
  "Zelensky" after "Volodymyr Zelensky" has the full name's id.
Known limits: inflected forms of people and organisations (Зеленского, Zełenskiego) keep
their own key; two different people with one spelling share an id.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from newsetl.tasks.canonical_names import ARTICLES
from newsetl.tasks.gazetteer import place_id

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "u", "'": "", "’": "",
}
# Ukrainian writes и for the sound Russian writes ы: "Зеленський" ~ "Zelenskyi".
_UK_CYRILLIC = {**_CYRILLIC, "и": "y", "г": "h"}
_LATIN_EXTRA = {"ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
# Spelling folds, applied in order: the same sound written differently by English, German,
# Polish and French transliterations.
_FOLDS = (
    ("shch", "sh"), ("tsch", "ch"), ("sch", "sh"), ("tch", "ch"), ("cz", "ch"), ("sz", "sh"), ("zh", "j"),
    ("kh", "h"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("x", "ks"), ("z", "s"), ("y", "i"), ("j", "i"),
)
_NON_WORD = re.compile(r"[^\w]+")
_DOUBLES = re.compile(r"(.)\1+")
PLACE_KIND = "place"


def transliterate(text: str, lang: str | None = None) -> str:
    """Return `text` with Cyrillic letters in Latin (Ukrainian rules when lang is "uk")."""
    table = _UK_CYRILLIC if lang == "uk" else _CYRILLIC
    out = []
    for ch in text:
        low = ch.lower()
        out.append(table.get(low, _LATIN_EXTRA.get(low, ch)) if (low in table or low in _LATIN_EXTRA) else ch)
    return "".join(out)


def name_key(name: str, lang: str | None = None) -> str:
    """Return the spelling-folded key of a name ("Selenskyj" -> "selenski"); "" when nothing is left."""
    latin = unicodedata.normalize("NFKD", transliterate(name, lang).casefold())
    latin = "".join(c for c in latin if not unicodedata.combining(c))
    words = [w for w in _NON_WORD.sub(" ", latin).split() if w]
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    key = " ".join(words)
    for a, b in _FOLDS:
        key = key.replace(a, b)
    return _DOUBLES.sub(r"\1", key)


@lru_cache(maxsize=65_536)  # names recur across mentions and articles; the id is a pure function of its arguments
def entity_id(canonical: str, kind: str, lang: str | None = None) -> str:
    """Return the stable id of an entity mention from its canonical name, kind and language."""
    if kind == PLACE_KIND:
        place = place_id(canonical, lang)
        if place is not None:
            return place
    return f"{kind}:{name_key(canonical, lang) or canonical.casefold()}"
