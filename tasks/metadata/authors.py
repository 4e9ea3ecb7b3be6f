"""The people who wrote an article, from structured data and author meta tags.

Only people are authors. Values that are dates, domains, e-mail or profile URLs, CMS
defaults ("Super User", "admin") are dropped; agencies, desks and the site itself
("Reuters", "Redaktion", "MND Staff", "ORF.at") go to `attribution` instead.
"""

from __future__ import annotations

import re
import unicodedata

from newsetl.tasks.chrome_phrases import WIRE_SERVICES
from newsetl.tasks.metadata.html_meta import PageMeta

# Author meta tags, most specific first.
AUTHOR_META = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "byl", "cxenseparse:author", "twitter:misc:written by",
)
# "By A, B and C", "Von A und B", "Por A y B": prefixes and joiners in the big news languages.
_BY = re.compile(
    r"^\s*(?:written by|by|von|por|par|di|da|door|av|af|przez|od|от|автор|text|texto|texte|testo|"
    r"autor(?:in)?(?:\s*/\s*autor(?:in)?)?|auteur|autore|author)\s*(?::\s*|\s+)",
    re.IGNORECASE,
)
_JOINERS = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\by\b|\bet\b|\be\b|\ben\b|\bog\b|\boch\b|\bi\b|\bve\b|\bwith\b|\bmit\b|\bcon\b|\bavec\b|、|，)\s*", re.IGNORECASE)
# Words that make a name an organisation or desk, not a person (several languages).
_ORG_WORDS = re.compile(
    r"\b(?:staff|team|desk|newsroom|redaktion|redaction|rédaction|redacción|redazione|redactie|redaksjon|redaksjonen|"
    r"editors?|editorial|agency|agentur|agencia|agence|news|nachrichten|noticias|nouvelles|notizie|nieuws|zeitung|"
    r"online|media|press|presse|prensa|verlag|service|services|group|gruppe|inc|ltd|gmbh|ag|sa|llc|corp|"
    r"magazine|magazin|times|post|daily|tribune|journal|herald|gazette|radio|tv|television|channel|network|wire|"
    r"correspondent|korrespondent|contributor|contributors|guest|gast|partner|sponsored|anzeige|werbung|"
    r"writer|reporter|columnist|photographer|kitchens?|advantage|weekly|firm|center|centre|hall|university|universität|"
    r"school|church|club|council|committee|institute|department|ministry|"
    r"dpa|afp|apa|sid|kna|epd|reuters)\b",
    re.IGNORECASE,
)
# Form labels and headings a "By …" or "Text …" line may carry ("By Release Date", "BY COMPANY TYPE").
_LABEL_WORDS = re.compile(r"\b(?:date|datum|type|category|kategorie|subject|topic|thema|index|information|notes|release|anonymous|anonym)\b", re.IGNORECASE)
# Content-management defaults and placeholders that name no one.
_CMS_DEFAULTS = re.compile(r"^(?:super ?user|admin(?:istrator)?|webmaster|root|user|guest|unknown|anonymous|anonym|redakteur|editor|author|autor|auteur|none|null|n/?a|default)$", re.IGNORECASE)
_MONTHS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|august|oktober|dezember|"
    r"january|february|march|april|june|july|september|october|november|december|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b\.?",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"(?:https?://|www\.|@|\.(?:com|de|at|ch|org|net|co|uk|fr|es|it|nl|be|pl|cz|ru|jp|kr|cn|info|news|tv)\b)", re.IGNORECASE)
# Scripts that write a full name as one unbroken run (Chinese, Japanese, Korean, Thai).
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
# Characters no byline name holds: form labels ("Name *"), captions ("(Image: Getty").
_NOT_IN_NAMES = re.compile(r"[*():|<>{}\[\]#=+?!]")
# Link and role words printed beside a byline ("View Profile", "Staff Writer", "Product
# Manager"): a CMS turns them into an author when the byline is read as text.
_ROLE_OR_LINK = re.compile(
    r"\b(?:profile|profil|biography|bio|contact|kontakt|more posts|all posts|writer|reporter|correspondent|"
    r"contributor|columnist|editor|manager|director|officer|intern|producer|photographer|redakteurin?|"
    r"korrespondent(?:in)?|journalist(?:in|e|a)?|rédacteur|rédactrice|periodista|redattore|redactor)\b",
    re.IGNORECASE,
)
_SOCIAL = re.compile(r"\b(?:twitter|facebook|instagram|linkedin|whatsapp|telegram|e-?mail|share|teilen|follow|folgen|abonnieren|subscribe)\b", re.IGNORECASE)
# Lower-case words inside names: "Chus del Pino", "Ludwig van Beethoven", "Omar bin Laden".
_PARTICLES = frozenset("van von der den de del della di da das dos du la le ter ten bin ibn al el y e zu vom".split())
_TLDS = frozenset("com net org de at ch fr es it nl be pl uk co info news tv eu ru cz se no dk fi pt".split())
# "Anna Giulia Fink", "Chus del Pino", "Jean-Claude van der Berg". Calibrated on
# fundus-tests (bench/metadata.py --sweep): 4 to 8 give the same author F1 in every
# language group; 3 loses 0.006 on en.
MAX_NAME_WORDS = 5


def declared_authors(page: PageMeta) -> list[tuple[bool, list[tuple[str, str]]]]:
    """Return the names each source on the page declares, most trusted source first: the
    JSON-LD article's `author`, each author meta tag, microdata, then the byline elements
    of the markup. Each source is (declared, names): `declared` is false for the markup's
    byline elements (their text may be a place or a "von"); a name is (name, kind), kind
    "person" or "organization" when structured data says so, else "unknown"."""
    sources = [(True, [item for obj in page.articles for item in _ld_authors(obj.get("author"))])]
    sources += [(True, [(n, "unknown") for v in page.meta.get(key, ()) for n in split_names(v)]) for key in AUTHOR_META]
    sources.append((True, [(n, "unknown") for v in (page.microdata.get("author") or [])[:3] for n in split_names(v)]))
    # Undeclared bylines, one source per element or line: the first that names a person is the
    # article's byline; later ones usually head teasers ("By Ann Lee" under each related story).
    sources += [(False, [(n, "unknown") for n in split_names(visible_byline(v))]) for v in (*page.byline_names, *page.byline_lines)]
    return [(declared, found) for declared, found in sources if found]


# "capital von Jemima Kelly": a byline word inside an element's text, before a capitalised name.
_INNER_BY = re.compile(r"(?:^|\s)(?:by|von|par|por|di|door|av|przez|[Ww]ritten by)\s+(?=[^\W\d_])(?=\w*[A-ZÀ-ÞĀ-Ž])")


def visible_byline(text: str) -> str:
    """The names part of a byline seen on the page: from a byline word on ("capital von Ann
    Lee" -> "von Ann Lee") and up to the first digit (a date or time after the names)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not _BY.match(text):
        inner = _INNER_BY.search(text)
        if inner:
            text = text[inner.start():].strip()
    text = re.split(r"\d|\s[•·]\s", text, maxsplit=1)[0].strip()
    return _TRAILING_MONTH.sub("", text).strip()


# "By Nathan Willis March 25": the date's month (or weekday) left after cutting at its digits.
_TRAILING_MONTH = re.compile(rf"(?:\s+{_MONTHS.pattern})+\s*[,.]?\s*$", re.IGNORECASE)


def _ld_authors(value: object) -> list[tuple[str, str]]:
    if isinstance(value, list):
        return [item for v in value for item in _ld_authors(v)]
    if isinstance(value, str):
        return [(name, "unknown") for name in split_names(value)]
    if isinstance(value, dict):
        name = value.get("name")
        if not name and isinstance(value.get("familyName"), str):  # {"givenName": "Ann", "familyName": "Lee"}
            name = f"{value.get('givenName') or ''} {value['familyName']}".strip()
        kind = value.get("@type")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        label = "person" if kind == "Person" else "organization" if isinstance(kind, str) and kind != "Thing" and kind else "unknown"
        if isinstance(name, str):
            return [(n, label) for n in split_names(name)]
        if isinstance(name, list):
            return [(n, label) for v in name if isinstance(v, str) for n in split_names(v)]
    return []


def split_names(value: str) -> list[str]:
    """Split an author string ("By Ann Lee and Bo Li") into names, "By"/"Von" prefixes removed."""
    value = re.sub(r"\s+", " ", value or "").strip()
    if not value or value.startswith(("http://", "https://")):
        return [value] if value else []
    value = _BY.sub("", value)
    return [part.strip(_NAME_EDGES) for part in _JOINERS.split(value) if part and part.strip(_NAME_EDGES)]


_NAME_EDGES = " .,-–—:'’\"•·"


def sort_authors(sources: list[tuple[bool, list[tuple[str, str]]]], site: str | None, domain: str | None) -> tuple[list[str], list[str]]:
    """Split declared names into (people, attribution). People come from the most trusted
    source that names any (sources disagree on spelling; merging them repeats people), and
    from the page's visible bylines only when no declared source names a person or an agency;
    agencies, desks and the site's own name from every source are attribution; dates,
    URLs, e-mail addresses and CMS defaults are dropped."""
    people: list[str] = []
    credits: list[str] = []
    site_keys = {k for k in (_key(site or ""), _key((domain or "").split(".")[0]), _key(domain or "")) if k}
    for declared, found in sources:
        if not declared and not people and any(c.lower() in WIRE_SERVICES for c in credits):
            break  # the page credits an agency: the bylines it shows belong to other stories
        named = []
        for name, kind in found:
            if not _DOMAIN.search(name):  # "Elena Oberholzer (obe)": a desk's initials, not the name
                name = _PARENTHESIS.sub("", name).strip()
            name = _CREDENTIALS.sub("", name).strip()  # "Jillian Kubala, MS, RD" splits into a name and degrees
            verdict = classify_name(name, kind, site_keys)
            if verdict == "person" and not people:
                named.append(name)
            elif verdict == "attribution" and declared:
                credits.append(name)
        people = people or named
    return _unique(people), _unique(credits)


def _unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        if _key(name) not in seen:
            seen.add(_key(name))
            out.append(name)
    return out


# Degrees and suffixes after a name ("B.Comm", "PhD", "MS", "RD"): not part of it, and not names.
_CREDENTIALS = re.compile(
    r"(?:^|\s+)(?:ph\.?d|m\.?d|m\.?s|r\.?d|r\.?n|b\.?s|apd|mba|cfp|cpa|cfa|esq|b\.?comm?|b\.?a|m\.?a|b\.?sc|m\.?sc|llm|jr|sr|dr\.? med)\.?$",
    re.IGNORECASE,
)
# "Elena Oberholzer (obe)": a desk's initials after the name.
_PARENTHESIS = re.compile(r"\s*\([^()]{0,40}\)")


def classify_name(name: str, kind: str = "unknown", site_keys: set[str] = frozenset()) -> str | None:
    """Return "person", "attribution" (agency, desk, publication) or None (not a name at all)."""
    name = name.strip()
    key = _key(name)
    if "@" in name or re.match(r"(?i)https?://", name) or _NOT_IN_NAMES.search(name):
        return None  # an e-mail address, a profile link, a form label ("Name *"), a caption
    if not key or _CMS_DEFAULTS.match(name) or re.search(r"\d", name) or _MONTHS.fullmatch(name.strip()):
        return None
    if _MONTHS.search(name) and len(name.split()) <= 2 and not kind == "person":
        return None  # "Dec", "Friday; January" and the like
    if name.lower() in WIRE_SERVICES or key in site_keys or any(len(k) >= 4 and k in key for k in site_keys):
        return "attribution"
    if any(_key(word) in site_keys for word in name.split()):
        return "attribution"  # "MDR THÜRINGEN" on mdr.de
    if _DOMAIN.search(name):  # "ORF.at", "Deutsche Welle (www.dw.com)": a site names itself
        return "attribution"
    if _LABEL_WORDS.search(name) or re.search(r"['’]s\b", name):
        return None  # "Release Date", "Willebrand's Disease": a label or a phrase, no name
    if name.split()[0].lower() == "the" and len(name.split()) > 1:
        return "attribution"  # "The Harris Law Firm", "The Associated Press"
    if name.islower() and " " not in name:
        return None  # "von", "amw": a stray word or a desk's initials
    if kind == "organization" or _ORG_WORDS.search(name):
        return "attribution"
    words = name.split()
    if len(words) >= 2 and (words[0].lower() == "www" or words[-1].lower() in _TLDS):
        return "attribution"  # "Www Medianotions De": a domain turned into words by a CMS
    if _SOCIAL.search(name):
        return None  # "Twitter Facebook": share buttons beside the byline
    if _ROLE_OR_LINK.search(name) and kind != "person":
        return None  # "View Profile", "Staff Writer": a link or a role, no name
    if _UNSPACED_SCRIPT.search(name):
        return "person" if len(name) <= 12 else "attribution"
    if len(words) > MAX_NAME_WORDS:
        return None
    if len(words) == 1:
        # One word is a person only when structured data says so ("Madonna"), an agency
        # when it is an acronym ("SDA", "TPN"); otherwise a place or a stray word ("Nairobi").
        if kind == "person" and not name.isupper():
            return "person"
        return "attribution" if name.isupper() or kind == "organization" else None
    if name.isupper() and len(words) <= 2 and all(len(w) <= 4 for w in words):
        return "attribution"  # "MND", "AP DPA"
    if kind == "person" and name.islower() and len(words) <= 3 and all(w.isalpha() for w in words):
        return "person"  # "viktor hedlund": structured data says a person, the CMS kept the lower case
    if any(w[0].islower() and w.lower() not in _PARTICLES for w in words if w[0].isalpha()):
        return None  # "Please enter your name here": names capitalise all but their particles
    return "person"


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())
