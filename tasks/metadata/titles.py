"""The article's headline, without the site's name or breadcrumbs, and the site's name."""

from __future__ import annotations

import html
import re
import unicodedata

from newsetl.tasks.metadata.html_meta import PageMeta

# Separators sites put between a headline and their own name ("Headline | Site", "Site - Headline").
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|›|‹|/|~)\s+|\s*\|\s*")
# Breadcrumb separators ("TV3 > News > National News > Story").
_CRUMB = re.compile(r"\s+(?:>|»|›|/)\s+")
# A trailing site part is a few words at most; longer parts are headline clauses.
# Calibrated on fundus-tests (bench/metadata.py --sweep): 4 to 12 give the same title
# scores in every language group (de, en, other); 2 loses 0.009 on de.
SITE_PART_MAX_WORDS = 6
_WORD = re.compile(r"\w+")
H1_CANDIDATES = 3  # only the first few <h1>: later ones head teasers and boxes


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
    """Return the headline: the JSON-LD headline, og:title or twitter:title, the <h1>, the <title>
    (in that order of trust), each with site-name parts and breadcrumbs removed; None when
    every candidate is only the site's name."""
    names = _site_keys(site, domain)
    structured = [obj.get("headline") or obj.get("name") for obj in page.articles]
    candidates = [
        *(c for c in structured if isinstance(c, str)),
        page.first("og:title"), page.first("twitter:title"), *(page.microdata.get("headline") or ())[:1],
    ]
    cleaned = [t for c in candidates if c and (t := strip_site(_text(c), names))]
    title_tag = strip_site(_text(page.title or ""), names)
    h1s = [t for h in page.h1[:H1_CANDIDATES] if (t := strip_site(_text(h), names))]
    if cleaned:
        best = cleaned[0]
        # A declared headline that still carries a kicker or site part around the <h1>.
        for h in h1s:
            if h != best and _key(h) and _key(h) in _key(best) and len(_words(h)) >= 3:
                return h
        return best
    if title_tag:
        for h in h1s:  # the <h1> the <title> contains ("Headline - Section - Site")
            if _key(h) and _key(h) in _key(title_tag) and len(_words(h)) >= 2:
                return h
        return title_tag
    return h1s[0] if h1s else None


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _overlap(a: str, b: str) -> float:
    """Share of the shorter title's words that the other one has too."""
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


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
    if not key:
        return True
    if key in names:
        return True
    if len(_WORD.findall(part)) > SITE_PART_MAX_WORDS:
        return False
    # "Spiegel" ~ "DER SPIEGEL", "nytimes.com" ~ "nytimes": one contains the other.
    return any(len(key) >= 3 and len(name) >= 3 and (key in name or name in key) for name in names)


def _site_keys(site: str | None, domain: str | None) -> set[str]:
    names = set()
    if site:
        names.add(_key(site))
        names.add(_key(re.sub(r"^(www\.)", "", site, flags=re.I)))
    if domain:
        names.add(_key(domain))  # "bbc.co.uk" -> "bbccouk"
        names.add(_key(domain.split(".")[0]))  # "bbc"
    return {n for n in names if n}


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
