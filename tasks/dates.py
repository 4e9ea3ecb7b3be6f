"""Publication dates found in article text ("Posted on November 19, 2019, 6:21 AM EST")."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone

# Only full dates count: a day, a month and a four-digit year. "3 hours ago" would give
# the fetch time back, which is never to pass for a publication date.
_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
    "PREFER_DATES_FROM": "past",
}
_YEAR = re.compile(r"\b(19|20)\d\d\b")
# Dates more than this far in the future are typos or event dates, not publication dates.
MAX_FUTURE = timedelta(days=1)


def parse_dateline(line: str, languages: list[str] | None = None, now: datetime | None = None) -> datetime | None:
    """Return the full date (UTC) written in a date/byline line, or None when it has none."""
    if not _YEAR.search(line):
        return None
    # Imported at the first line with a year, not with the module: ~0.15 s (dateparser.search)
    # that a run whose articles have no date lines need not pay.
    from dateparser.search import search_dates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(line, languages=languages, settings=_SETTINGS) or []
    limit = (now or datetime.now(timezone.utc)) + MAX_FUTURE
    for text, value in found:
        if _YEAR.search(text) and value <= limit:
            return value.astimezone(timezone.utc)
    return None
