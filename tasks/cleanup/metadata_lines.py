"""Byline, dateline and wire-credit lines turned into metadata (dates via tasks/dates.py, never raising)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from dateparser.data.languages_info import language_order as dateparser_language_order

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.dates import parse_dateline

# Date lines are short; a longer line with a date in it is a sentence.
DATELINE_MAX_WORDS = 16
# ISO 639-1 codes langdetect gives that dateparser knows under another name.
_DATEPARSER_ALIASES = {"no": "nb"}


def dateline_date(line: str, language: str | None) -> datetime | None:
    """Return the date written in a byline/date line, or None — never an exception.

    dateparser raises on languages it does not know ('und', 'no'); those are mapped to
    its name for the language or left to its own detection, and any other failure on an
    odd date ("31. februar 0000") means the line has no usable date.
    """
    code = _DATEPARSER_ALIASES.get(language or "", language)
    languages = [code] if code in dateparser_language_order else None
    try:
        return parse_dateline(line, languages)
    except Exception:  # noqa: BLE001 - a date we cannot read is no date, never a lost page
        return None


def wire_name(line: str) -> str | None:
    match = ph.WIRE_NAME.search(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


def dateline_wire(line: str) -> str | None:
    match = ph.WIRE_DATELINE.match(line)
    return ph.WIRE_SERVICES[match.group(1).lower()] if match else None


def with_html_metadata(result: CleanResult, doc) -> CleanResult:
    """Fill the byline and date from the extractor's page metadata (`doc`, may be None)."""
    metadata_date = _metadata_date(doc.date if doc else None)
    return replace(
        result,
        byline=result.byline or (doc.author if doc else None),
        published=metadata_date or result.published,
        published_from="html_metadata" if metadata_date else result.published_from,
    )


def _metadata_date(value: str | None) -> datetime | None:
    """Parse trafilatura's YYYY-MM-DD date (from htmldate) as midnight UTC."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc) if value else None
    except ValueError:
        return None
