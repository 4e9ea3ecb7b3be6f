"""Make values from untrusted inputs safe to hash, compare and store, without losing the record.

Three things one record used to abort a whole run with:

* strings that are not valid Unicode (a lone surrogate such as "\\ud800" from a JSON
  escape) cannot be encoded as UTF-8 for hashing, Arrow or DuckDB;
* file names that are not UTF-8 reach Python as surrogate-escaped strings (PEP 383);
* dates far outside the calendar a news article can have (year 1) overflow date
  arithmetic downstream.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# Publication dates before this are typos or placeholders (0001-01-01 is a common
# "no date" sentinel); none of our sources is older than the 20th century.
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=timezone.utc)
# A date more than this ahead of now is a typo or an embargo time, not a publication date.
MAX_FUTURE = timedelta(days=1)
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(value: str) -> str:
    """Return `value` with every lone surrogate replaced by U+FFFD, so it encodes as UTF-8.

    Valid strings come back unchanged (the same object).
    """
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)


def printable_path(path: str) -> str:
    """Return a file path as valid text: bytes of a non-UTF-8 name become `\\xNN` escapes.

    Use it wherever a path is stored or shown (source_uri, quarantine, input_state);
    keep the original string for opening the file. UTF-8 paths come back unchanged.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that did not come from a file name's bytes
        return valid_text(path)


def sane_date(value: datetime | None, now: datetime | None = None) -> tuple[datetime | None, str | None]:
    """Return (the date, None) when it lies between 1900 and tomorrow, else (None, a note saying
    what was dropped). Naive dates are taken as UTC."""
    if value is None:
        return None, None
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    latest = (now or datetime.now(timezone.utc)) + MAX_FUTURE
    try:
        if EARLIEST_DATE <= aware <= latest:
            return aware, None
    except (OverflowError, ValueError):  # a far-off timezone offset on year 1 or 9999
        pass
    return None, f"published_at {value.isoformat()} outside 1900..tomorrow, dropped"
