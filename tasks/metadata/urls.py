"""An article's address: the input's URL, else the one the page declares; and the source it names."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from functools import lru_cache

from newsetl.tasks.metadata.html_meta import PageMeta

# Query parameters that track a click, never name a page: dropped from stored URLs.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|mkt_tok|"
    r"oly_enc_id|oly_anon_id|vero_id|__twitter_impression|ns_mchannel|ns_source|ns_campaign|ns_linkname|ns_fee)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _domains():
    """tldextract over its bundled public-suffix list (never fetched over the network);
    made at first use: a run of local text files need not import it."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalise_url(url: str | None, base: str | None = None) -> str | None:
    """Return `url` made absolute against `base`, with the fragment and tracking parameters
    (utm_*, fbclid, gclid, …) dropped and scheme and host lower-cased; None unless http(s)."""
    if not url or not url.strip():
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    netloc = parts.netloc.lower()
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")  # "fürs" and "f%C3%BCrs": one address
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def registrable_domain(url: str | None) -> str | None:
    """Return the registrable domain of a URL ("https://news.bbc.co.uk/x" -> "bbc.co.uk"),
    else its host without "www."; None for no URL."""
    if not url:
        return None
    parts = _domains()(url)
    return parts.top_domain_under_public_suffix or (urlsplit(url).hostname or "").removeprefix("www.") or None


def declared_url(page: PageMeta, base: str | None = None) -> str | None:
    """Return the page's own address: <link rel=canonical>, og:url, then the JSON-LD article's
    url / mainEntityOfPage, normalised; a site's home page loses to a declared article path."""
    canonical, shared = page.canonical, page.first("og:url", "twitter:url")
    candidates = [canonical, shared]
    if canonical and shared and _host(normalise_url(canonical, base or page.base)) != _host(normalise_url(shared, base or page.base)):
        # A syndicated copy points its canonical at the original on another site; its
        # og:url is still this page's own address (and this site is its source).
        candidates = [shared, canonical]
    for obj in page.articles:
        candidates.append(_ld_url(obj.get("url")))
        candidates.append(_ld_url(obj.get("mainEntityOfPage")))
    base = base or page.base
    found = [u for c in candidates if (u := normalise_url(c, base))]
    # Some sites declare their home page as every page's canonical: a deeper address wins.
    deep = [u for u in found if urlsplit(u).path.strip("/")]
    return (deep or found or [None])[0]


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _ld_url(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("@id") if isinstance(value.get("@id"), str) else value.get("url") if isinstance(value.get("url"), str) else None
    if isinstance(value, list) and value:
        return _ld_url(value[0])
    return None
