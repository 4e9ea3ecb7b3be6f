"""The article's headline, without the site's name or breadcrumbs, and the site's name."""

from __future__ import annotations

import html
import re
import unicodedata

from newsetl.tasks.metadata.html_meta import PageMeta
from newsetl.tasks.metadata.title_ranker import SOURCES, TitleCandidate, add_candidate, best_title

# Separators sites put between a headline and their own name ("Headline | Site", "Site - Headline").
# Bars need no spaces around them, as CJK sites write them: the full-width bar "｜", the CJK
# stroke "丨" and the Hangul letter "ㅣ" that Chinese and Korean sites use as a bar (none is
# used inside words: "ㅣ" is a compatibility jamo, words use composed syllables), and "_"
# between two CJK characters ("标题_新闻网"). A part is dropped only where it names the site.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_SEPARATOR = re.compile(rf"\s+(?:\||-|–|—|::|·|•|»|«|›|‹|/|~)\s+|\s*[|｜丨ㅣ]\s*|(?<=[{_CJK}])_(?=[{_CJK}])")
# Breadcrumb separators ("TV3 > News > National News > Story").
_CRUMB = re.compile(r"\s+(?:>|»|›|/)\s+")
# A trailing site part is a few words at most; longer parts are headline clauses.
# Calibrated on fundus-tests (bench/metadata.py --sweep): 4 to 12 give the same title
# scores in every language group (de, en, other); 2 loses 0.009 on de.
SITE_PART_MAX_WORDS = 6
_WORD = re.compile(r"\w+")
H1_CANDIDATES = 3  # only the first few <h1>: later ones head teasers and boxes
# A headline is one line: the longest of the 257 fundus-tests gold titles (25 languages) is
# 175 characters. A longer candidate is not a headline but what a broken page put there (a
# lead paragraph in og:title, the rest of the page in a <title> left open). Not fitted: no
# gold title comes near it.
MAX_TITLE_CHARS = 400
# A <title> left open swallows the markup after it as text ("Headline</head><body><h1>…"):
# the title ends where the first tag does. Only for <title>: meta tags may quote markup.
_SWALLOWED_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def site_name(page: PageMeta) -> str | None:
    """Return the site's name: og:site_name, application-name, the JSON-LD publisher or WebSite name."""
    declared = page.first("og:site_name", "application-name", "apple-mobile-web-app-title", "al:ios:app_name")
    if declared:
        return _text(declared)
    for obj in (*page.articles, *page.others):
        publisher = obj.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str) and publisher["name"].strip():
            return _text(publisher["name"])
    for obj in page.others:
        if obj.get("@type") in ("WebSite", "NewsMediaOrganization", "Organization") and isinstance(obj.get("name"), str):
            return _text(obj["name"]) or None
    return None


def page_title(page: PageMeta, site: str | None, domain: str | None) -> str | None:
    """Return the headline: among the JSON-LD headline, og:title, twitter:title, microdata, the
    first <h1>s and the <title> (each with site-name parts and breadcrumbs removed), the one the
    learned ranker (title_ranker) scores highest; None when every candidate is only the site's name."""
    chosen = best_title(title_candidates(page, site, domain))
    return chosen.text if chosen else None


def title_candidates(page: PageMeta, site: str | None, domain: str | None) -> list[TitleCandidate]:
    """Return the page's distinct candidate titles, site parts removed (and kickers, when two
    sources put unrelated ones before the same headline), each with the sources stating it
    ("shown" among them when the body displays it as an element's whole text)."""
    names = _site_keys(site, domain)
    structured = [obj.get("headline") or obj.get("name") for obj in page.articles]
    stated = [
        ("ld", next((c for c in structured if isinstance(c, str) and c.strip()), None)),
        ("og", page.first("og:title")), ("twitter", page.first("twitter:title")),
        ("microdata", next(iter(page.microdata.get("headline") or ()), None)),
        *((("h1" if i == 0 else "h1_later"), h) for i, h in enumerate(page.h1[:H1_CANDIDATES])),
        ("title", _SWALLOWED_TAG.split(page.title, 1)[0] if page.title else None),
    ]
    candidates: list[TitleCandidate] = []
    for source, raw in stated:
        if not raw:
            continue
        text = strip_permalink(_text(raw))
        cleaned = strip_site(text, names)
        if cleaned and _key(cleaned) and len(cleaned) <= MAX_TITLE_CHARS:
            add_candidate(candidates, cleaned, _key(cleaned), source, stripped=_key(cleaned) != _key(text))
    candidates = _merge_kickers(candidates)
    _mark_suffixed(candidates)
    # A candidate the page also displays as a whole element (a heading, a headline span) is
    # the headline readers see; og:title or a JSON-LD headline is often an SEO rewrite nowhere shown.
    if len(candidates) > 1:
        shown = _shown_keys(page.shown, min(len(c.key) for c in candidates), max(len(c.key) for c in candidates))
        for cand in candidates:
            if cand.key in shown:
                cand.sources.add("shown")
    return candidates


# A lead-in before a headline: "Kicker: Headline", "Kicker - Headline" (an overline or topic
# line the page shows above the headline, joined to it by a <title>, og:title or an <h1> with spans).
_LEAD_IN = re.compile(r"^(.{2,80}?)(?::\s+|\s+[-–—|/]\s+)(.+)$")


def _merge_kickers(candidates: list[TitleCandidate]) -> list[TitleCandidate]:
    """Return the candidates with the same headline behind unrelated lead-ins ("Iranian attack:
    Headline" in og:title, "Escalation in the Middle East - Headline" in the <h1>) stated as that
    headline alone: two sources that share the headline but not one word of what precedes it
    show the lead-ins to be interchangeable topic lines (kickers), not part of the headline.
    Lead-ins sharing a word ("Harris in Canada: …", "Harris' Canadian links: …") are two
    wordings of one headline and stay as they are."""
    tails: dict[str, list[tuple[TitleCandidate, str, str]]] = {}
    # A kicker is a short topic line (as short as a site part); the headline after it is a
    # sentence of three words or more, so "Bridge: Yes" is never cut to "Yes". Not fitted: the
    # rule fires on 1 of 257 fundus pages and on none of 1347 other cleanup-set pages.
    for cand in candidates:
        lead = _LEAD_IN.match(cand.text)
        if lead and len(_WORD.findall(lead.group(1))) <= SITE_PART_MAX_WORDS and len(_WORD.findall(lead.group(2))) >= 3:
            tails.setdefault(_key(lead.group(2)), []).append((cand, lead.group(1), lead.group(2)))
    merged: list[TitleCandidate] = []
    for versions in tails.values():
        words = [{w.casefold() for w in _WORD.findall(head)} for _, head, _ in versions]
        if any(not (a & b) for i, a in enumerate(words) for b in words[i + 1:]):
            merged.extend(cand for cand, _, _ in versions)
            headline = versions[0][2]
            for cand, _, _ in versions:
                for source in sorted(cand.sources, key=SOURCES.index):
                    add_candidate(candidates, headline, _key(headline), source, stripped=cand.stripped)
    gone = {id(c) for c in merged}
    return [c for c in candidates if id(c) not in gone]


def _mark_suffixed(candidates: list[TitleCandidate]) -> None:
    """Mark each candidate that another one repeats with short parts after a separator
    ("Headline | Politics News", "Headline – OL Paris 2024"): a section or event name the
    site-name stripping could not recognise, which confirms the headline before it."""
    keys = {c.key: c for c in candidates}
    for other in candidates:
        parts = _SEPARATOR.split(other.text)
        for cut in range(len(parts) - 1, 0, -1):
            if any(len(_WORD.findall(p)) > SITE_PART_MAX_WORDS for p in parts[cut:]):
                break  # a long trailing part is a headline clause, not a section name
            head = keys.get(_key(" ".join(parts[:cut])))
            if head is not None and head is not other:
                head.suffixed = True


def _shown_keys(texts: tuple[str, ...], shortest: int, longest: int) -> set[str]:
    """Folded keys of the displayed texts that could equal a key of `shortest` to `longest`
    characters. Folding drops spaces and punctuation (a headline is mostly letters: its key
    is well over half its length) and decomposes a character into at most three letters
    (Hangul): the length window skips folding the many paragraphs that cannot match."""
    return {_key(text) for text in texts if 3 * len(text) >= shortest and len(text) <= 2 * longest + 10}


def strip_site(title: str, names: set[str]) -> str | None:
    """Remove site-name parts ("Headline | Site", "Site: Headline") and breadcrumb trails from a
    title; None when nothing but the site's name is left."""
    title = title.strip()
    if not title or _key(title) in names:
        return None
    crumbs = _CRUMB.split(title)
    if len(crumbs) >= 3:  # a breadcrumb trail: the last crumb is the page
        title = crumbs[-1]
    parts = _SEPARATOR.split(title)
    if len(parts) > 1:
        kept = [p for p in parts if not _is_site_part(p, names)]
        if kept and len(kept) < len(parts):
            # Keep the text between the dropped parts as written (it may hold a separator itself).
            start, end = title.find(kept[0]), title.rfind(kept[-1]) + len(kept[-1])
            title = title[start:end].strip()
        elif not kept:
            return None
    for name in names:  # "Site: Headline"
        prefix = re.match(r"^(.{2,60}?)\s*:\s+(.+)$", title)
        if prefix and _key(prefix.group(1)) == name:
            title = prefix.group(2)
    return title.strip() or None


def _is_site_part(part: str, names: set[str]) -> bool:
    key = _key(part)
    if not key or _DATE_PART.match(part):  # "Headline | DW | 28.04.2023": a date is no headline part
        return True
    if key in names or _key(_spelled_out(part)) in names:  # "Börsen-Zeitung" on boersen-zeitung.de
        return True
    if len(_WORD.findall(part)) > SITE_PART_MAX_WORDS:
        return False
    # "Spiegel" ~ "DER SPIEGEL", "nytimes.com" ~ "nytimes": one contains the other.
    return any(len(key) >= 3 and len(name) >= 3 and (key in name or name in key) for name in names)


def _site_keys(site: str | None, domain: str | None) -> set[str]:
    names = set()
    if site:
        names.add(_key(site))
        names.add(_key(_spelled_out(site)))
        names.add(_key(re.sub(r"^(www\.)", "", site, flags=re.I)))
    if domain:
        names.add(_key(domain))  # "bbc.co.uk" -> "bbccouk"
        names.add(_key(domain.split(".")[0]))  # "bbc"
    return {n for n in names if n}


# Header-link anchors documentation generators append to headings ("Working with forms¶",
# Sphinx and MkDocs; "§", "⚓", "🔗" elsewhere). "#" counts only after a space (or a
# zero-width space), so "C#" and "F#" stay.
_PERMALINK = re.compile(r"(?:\s*[\u00b6\u00a7\u2693\U0001F517]\ufe0f?|[\s\u200b]+#)+\s*$")


def strip_permalink(title: str) -> str:
    """Return a title without the permalink symbols a heading's anchor leaves at its end
    ("Working with forms¶" -> "Working with forms"); other titles come back unchanged."""
    return _PERMALINK.sub("", title)


# A title part that is only a date or a time ("28.04.2023", "2024-05-03 14:00").
_DATE_PART = re.compile(r"^[\d\s./:,-]*\d[\d\s./:,-]*$")
# How domains spell letters they cannot hold ("boersen-zeitung.de", "aftenposten.no" for "å").
_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "å": "aa", "Å": "Aa", "ø": "oe", "Ø": "Oe", "æ": "ae", "Æ": "Ae"})


def _spelled_out(text: str) -> str:
    return text.translate(_SPELLED_OUT)


def _key(text: str) -> str:
    """Fold case, accents, spacing and punctuation, so "DER SPIEGEL" matches "Der Spiegel"."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _text(value: str) -> str:
    return repair_mojibake(re.sub(r"\s+", " ", html.unescape(value)).strip())


# UTF-8 read as Windows-1252 or Latin-1: "Ã¼" for "ü", "â€™" for "’", "Â£" for "£".
_MOJIBAKE = re.compile(r"[ÃÂâ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 somewhere upstream (a CMS writing its
    metadata twice-encoded); text without those telltale pairs comes back unchanged."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(_MOJIBAKE.findall(repaired)) < len(_MOJIBAKE.findall(text)):
            return repaired
    return text
