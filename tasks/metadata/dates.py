"""The publication date a page declares, with its precision, checked against the URL and the fetch time.

Candidates, most trusted first: structured data (JSON-LD / microdata `datePublished`),
publication meta tags, the date written in the URL path, then htmldate's reading of the
markup. A value naming only a year or a month is never turned into a day: it keeps its
precision (`year` / `month`). A date in the URL (/2024/05/03/) is a strong cross-check:
a candidate that disagrees with it by more than a day loses to one that agrees, or to
the URL's date itself. Six or eight digits in a row ("…-080115", "/15012008/") are a
weaker one, as ids look the same: every reading of them is tried (compact_url_dates), and
they overrule the page's date only in the narrow case compact_url_check describes.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from newsetl.tasks.extractor_logs import quiet_extractor_logs
from newsetl.tasks.metadata.html_meta import PageMeta


# No news site published before the web was public; earlier values are birth dates,
# founding years and zero dates.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
# Time zones and clock skew: a date up to this far past the fetch time is still "now".
FUTURE_SLACK = timedelta(days=1)
# How far a declared date may sit from the URL's date and still agree with it (time zones
# shift the day by one). Calibrated on fundus-tests (bench/metadata.py --sweep): 1 to 7
# days give the same date scores in every language group; half a day loses 0.009 on de.
URL_AGREEMENT = timedelta(days=2)

# Meta tags naming the first publication, most specific first.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time",
    "datepublished", "article.published", "published_time", "publish-date", "publishdate", "publish_date",
    "pubdate", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "citation_publication_date",
    "originalpublicationdate", "date", "publication_date", "release_date", "created", "article_date_original",
)
_ISO = re.compile(
    r"^\s*(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?)?)?\s*$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*$")
# Dates in URL paths: /2024/05/03/, /2024-05-03-, 20240503 as a path segment or slug part.
_URL_YMD = re.compile(r"(?<!\d)((?:19|20)\d\d)[/_-]([01]?\d)[/_-]([0-3]?\d)(?!\d)")
_URL_COMPACT = re.compile(r"(?<![\d])((?:19|20)\d\d)([01]\d)([0-3]\d)(?![\d])")
# A compact date that is a whole part of the path ("…-080108", "/20081230/", "_010808."):
# six or eight digits between - _ / . or the ends. Digits glued to letters ("dmf20250202",
# "a123456") are ids, not dates.
_URL_PART = re.compile(r"[-_/.]")
_URL_DIGITS = re.compile(r"[0-9]{6}|[0-9]{8}")
# How long after a compact URL date the page's date may lie and still give way to it: a
# page dated months after its URL's day carries its last revision as the publication date
# (the pages: URL …-080108, page dates Aug-Nov 2008); a page dated years later, or
# before the URL's day (a URL is made at publication), more likely has an id in its URL that
# reads as a date (Movable Type's /archives/000225.html next to a 2003 page date).
# Set by looking at every page the check touches on the cleanup sets with urls (1,507 pages;
# bench/url_dates.py --sweep), so on very few: 1 year overrules one page (a speech "FOR
# RELEASE: February 28, 2005" its markup dates December 2005), right by its text; 6
# months or less miss it; 2-3 years also overrule a Yahoo page (…/050508/…) whose day the
# text leaves unclear; no limit also takes the Movable Type id (wrong). fundus-tests: no change.
COMPACT_OVERRULE_WITHIN = timedelta(days=366)
# Two-digit years: 90-99 are the 1990s, the rest this century (nothing is older than EARLIEST).
_CENTURY_PIVOT = 90


@dataclass(frozen=True)
class FoundDate:
    """A publication date with how precise it is ("day", "month" or "year") and where it came from."""

    value: datetime
    precision: str
    origin: str  # "structured_data", "html_metadata" or "url"


def parse_date_value(text: str) -> tuple[datetime, str] | None:
    """Parse a date as pages write it in metadata (ISO 8601, compact, RFC 2822, or written out);
    return (UTC datetime, precision) or None. Missing parts are never invented: "2024"
    gives (2024-01-01, "year"), "2024-05" gives (2024-05-01, "month")."""
    if not text or not isinstance(text, str) or len(text) > 80:
        return None
    text = text.strip()
    match = _ISO.match(text)
    if match:
        year, month, day = int(match["y"]), match["m"], match["d"]
        try:
            if day is None:
                return datetime(year, int(month or 1), 1, tzinfo=timezone.utc), "month" if month else "year"
            if match["time"]:
                iso = f"{year:04d}-{int(month):02d}-{int(day):02d}T{match['time'].replace(',', '.')}"
                value = datetime.fromisoformat(iso)
                value = value.replace(tzinfo=_tz(match["tz"]))
            else:
                value = datetime(year, int(month), int(day), tzinfo=timezone.utc)
        except ValueError:
            return None
        return value.astimezone(timezone.utc), "day"
    match = _COMPACT.match(text)
    if match:
        try:
            value = datetime(*(int(g) for g in match.groups() if g), tzinfo=timezone.utc)
        except ValueError:
            return None
        return value, "day"
    try:
        value = parsedate_to_datetime(text)
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc), "day"
    except (TypeError, ValueError, IndexError):
        pass
    return _written_date(text)


def _tz(label: str | None) -> timezone:
    if not label or label.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if label[0] == "-" else 1
    digits = label[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _written_date(text: str) -> tuple[datetime, str] | None:
    """A date written out ("3. Mai 2024, 15:47"): only when it names a day, a month and a year."""
    if not re.search(r"\b(19|20)\d\d\b", text):
        return None
    from dateparser import parse  # imported late: dateparser's first import costs ~0.5 s

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = parse(text, settings={"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC"})
    return (value.astimezone(timezone.utc), "day") if value else None


def url_date(url: str | None, compact: bool = True) -> datetime | None:
    """Return the full date written in a URL's path (/2024/05/03/, 2024-05-03, and with
    `compact` also 20240503), or None."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in (_URL_YMD, _URL_COMPACT) if compact else (_URL_YMD,):
        for match in pattern.finditer(path):
            try:
                return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=timezone.utc)
            except ValueError:
                continue
    return None


def compact_url_dates(url: str | None, latest: datetime) -> list[FoundDate]:
    """Return every date the compact tokens of a URL's path can be read as (6 digits: yymmdd,
    ddmmyy, mmddyy, and yyyymm as a month; 8 digits: yyyymmdd, ddmmyyyy, mmddyyyy), distinct
    and sorted, keeping only days (or months) from 1990 to `latest`; [] when the path has no
    such token. More than one reading means the URL is ambiguous, or the digits are an id."""
    if not url:
        return []
    found: set[FoundDate] = set()
    for part in _URL_PART.split(urlsplit(url).path):
        if not _URL_DIGITS.fullmatch(part):
            continue
        if len(part) == 6:
            a, b, c = int(part[:2]), int(part[2:4]), int(part[4:])
            readings = [(_year(a), b, c), (_year(c), b, a), (_year(c), a, b)]  # yymmdd, ddmmyy, mmddyy
            # A magazine issue (/sierra/200405/) names a month: a reading too, never a day.
            if 1 <= int(part[4:]) <= 12 and EARLIEST <= (month := datetime(int(part[:4]), int(part[4:]), 1, tzinfo=timezone.utc)) <= latest:
                found.add(FoundDate(month, "month", "url"))
        else:
            readings = [(int(part[:4]), int(part[4:6]), int(part[6:])), (int(part[4:]), int(part[2:4]), int(part[:2])), (int(part[4:]), int(part[:2]), int(part[2:4]))]
        for year, month_number, day in readings:
            try:
                value = datetime(year, month_number, day, tzinfo=timezone.utc)
            except ValueError:
                continue
            if EARLIEST <= value <= latest:
                found.add(FoundDate(value, "day", "url"))
    return sorted(found, key=lambda f: (f.value, f.precision))


def _year(two_digits: int) -> int:
    return (1900 if two_digits >= _CENTURY_PIVOT else 2000) + two_digits


def compact_url_check(value: datetime, url: str | None, latest: datetime) -> datetime | None:
    """Return the URL's compact date when it overrules the page's date `value`, else None.

    It does when no reading of the URL's digits (compact_url_dates) falls in `value`'s month
    and exactly one falls in the COMPACT_OVERRULE_WITHIN before it, naming a day: the page
    then carries a revision date, and that reading is the day the URL was made. Readings
    after `value` or long before it say nothing about it (an id that reads as a date), and
    two readings in that window leave it open (080108 is both 8 January and 1 August 2008)."""
    readings = compact_url_dates(url, latest)
    if any(_same_month(r.value, value) or (r.precision == "day" and abs(value - r.value) <= URL_AGREEMENT) for r in readings):
        return None
    earlier = [r for r in readings if r.value < value and value - r.value <= COMPACT_OVERRULE_WITHIN]
    return earlier[0].value if len(earlier) == 1 and earlier[0].precision == "day" else None


def _same_month(a: datetime, b: datetime) -> bool:
    return (a.year, a.month) == (b.year, b.month)


def declared_dates(page: PageMeta) -> list[FoundDate]:
    """Return every publication date the page declares, most trusted first (unchecked)."""
    found: list[FoundDate] = []
    structured = [obj.get(key) for obj in page.articles for key in ("datePublished", "dateCreated")]
    structured += (page.microdata.get("datepublished") or [])[:1]
    for value in structured:
        parsed = parse_date_value(value) if isinstance(value, str) else None
        if parsed:
            found.append(FoundDate(parsed[0], parsed[1], "structured_data"))
    for key in PUBLISHED_META:
        for value in page.meta.get(key, ())[:1]:
            parsed = parse_date_value(value)
            if parsed:
                found.append(FoundDate(parsed[0], parsed[1], "html_metadata"))
    return found


def choose_date(candidates: list[FoundDate], url: str | None, fetched_at: datetime, compact_fill: bool = True) -> FoundDate | None:
    """Return the publication date to keep: the first plausible candidate (1990 to the fetch
    time) naming a day, unless the URL's date disagrees with it and another candidate (or
    the URL itself) agrees; a year or month alone only when nothing names a day. A compact
    URL date (compact_url_dates) only cross-checks the candidates (compact_url_check), and
    fills a missing day when it reads one way only and `compact_fill` allows it."""
    latest = fetched_at + FUTURE_SLACK
    plausible = [c for c in candidates if EARLIEST <= c.value <= latest]
    from_url = url_date(url)
    if from_url is not None and not EARLIEST <= from_url <= latest:
        from_url = None
    days = [c for c in plausible if c.precision == "day"]
    if from_url is not None:
        agreeing = [c for c in days if abs(c.value - from_url) <= URL_AGREEMENT]
        if agreeing:
            return agreeing[0]
        # Nothing in the markup names the URL's day: an updated or unrelated date, or none.
        # Only a separated date (/2024/05/03/) overrules the markup; eight digits in a row
        # may be an article number that happens to read as a date.
        if not days or url_date(url, compact=False) is not None:
            return FoundDate(from_url, "day", "url")
    readings = compact_url_dates(url, latest)
    if readings:
        # A compact token ("…-080108") is only a cross-check: a day one of its readings
        # confirms is kept, one it contradicts may give way (compact_url_check); the token
        # fills a missing day only when it reads one way only.
        agreeing = [c for c in days if any(r.precision == "day" and abs(c.value - r.value) <= URL_AGREEMENT for r in readings)]
        if agreeing:
            return agreeing[0]
        if days:
            overruled = compact_url_check(days[0].value, url, latest)
            if overruled is not None:
                return FoundDate(overruled, "day", "url")
        elif len(readings) == 1 and readings[0].precision == "day" and compact_fill:
            return readings[0]
    if days:
        return days[0]
    coarse = [c for c in plausible if c.precision in ("month", "year")]
    return coarse[0] if coarse else None


def htmldate_guess(html: str, url: str | None) -> FoundDate | None:
    """htmldate's reading of the markup (original date, no search of the page text); None
    when it finds nothing. htmldate fills missing parts, so only its day is used."""
    from htmldate import find_date

    quiet_extractor_logs()  # htmldate's ERROR for a page it cannot parse means "no date" here
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = find_date(html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate raises on odd markup; no date is the answer then
        return None
    if not value:
        return None
    return FoundDate(datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc), "day", "html_metadata")
