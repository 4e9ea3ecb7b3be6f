"""WARC and WARC.gz input (as in Common Crawl's CC-NEWS): HTML responses become articles.

A WARC can hold tens of thousands of pages, so it is planned as byte ranges of about a
batch of response records each (`plan_warc`, one streaming pass, constant memory) and each
range is read on its own (`read_warc_range`). Records that are not HTML responses
(requests, metadata, images, PDFs) are skipped and counted. A truncated or corrupt file
yields what precedes the damage, then one quarantine row saying where it broke.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsetl.tasks.records import Article, Quarantined, content_hash, stable_id

log = logging.getLogger("newsetl.ingest")
STAGE = "ingest"
# Errors that mean "the file ends or breaks here" while iterating records. warcio raises
# more than its own errors on a file cut inside a header (AttributeError on a missing
# target URI, for one), so any Exception counts: the file is quarantined, never the run.
DAMAGE = (ArchiveLoadFailed, EOFError, OSError, ValueError, Exception)


def plan_warc(path: str, records_per_unit: int) -> tuple[list[tuple[int, int | None]], str | None]:
    """Return byte ranges [(start, end)] holding about `records_per_unit` response records
    each (the last one open-ended), and the error that stopped the scan, if any."""
    bounds = [0]
    seen = 0
    error = None
    try:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type == "response":
                    seen += 1
                    if seen % records_per_unit == 0:
                        record.content_stream().read()  # move past this record to find where the next starts
                        bounds.append(records.get_record_offset() + records.get_record_length())
    except DAMAGE as exc:
        error = f"{type(exc).__name__}: {exc}"
    ranges: list[tuple[int, int | None]] = list(zip(bounds, bounds[1:]))
    ranges.append((bounds[-1], None))
    return ranges, error


def read_warc_range(
    path: str, start: int, end: int | None, max_record_bytes: int, domain_of, decode
) -> Iterator[Article | Quarantined]:
    """Yield the HTML responses of the records starting in [start, end) as Articles.

    `domain_of(url)` names the source; `decode(bytes, charset)` turns a body into text or
    raises ValueError (the record is then quarantined).
    """
    skipped = 0
    offset = start
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            while (byte := fh.read(1)) in (b"\r", b"\n"):  # the blank lines that close a record
                pass
            if byte:
                fh.seek(-1, 1)
            records = ArchiveIterator(fh)
            for record in records:
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                wanted = record.rec_type == "response" and "html" in content_type.lower()
                # Read the body before asking for the offset: warcio finds the offset by
                # reading the record to its end.
                body = record.content_stream().read(max_record_bytes + 1) if wanted else b""
                offset = records.get_record_offset()  # a position in the file, wherever reading began
                if end is not None and offset >= end:
                    break
                if record.length is None:  # cut inside its WARC headers: no Content-Length yet
                    raise EOFError(f"record at byte {offset:,} is cut inside its headers")
                if getattr(record.raw_stream, "limit", 0) > 0:  # warcio ends quietly at a record cut short
                    raise EOFError(f"record at byte {offset:,} is {record.raw_stream.limit:,} bytes short")
                if not wanted:
                    skipped += 1
                    continue
                where = f"{path}#{url or offset}"
                if len(body) > max_record_bytes:
                    yield Quarantined(where, STAGE, f"record body over the {max_record_bytes:,}-byte limit")
                    continue
                try:
                    text = decode(body, _charset(content_type))
                except ValueError as exc:
                    yield Quarantined(where, STAGE, str(exc), content_hash=content_hash(body))
                    continue
                yield Article(
                    doc_id=stable_id(url or where),
                    source_uri=url or where,
                    source=domain_of(url) or "warc",
                    raw_text=text,
                    content_hash=content_hash(body),
                    input_format="html",
                    fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
                    url=url or None,
                )
            if end is None:
                _check_read_to_the_end(fh, records.offset)
    except DAMAGE as exc:
        yield Quarantined(path, STAGE, f"truncated or corrupt WARC after byte {offset:,}: {type(exc).__name__}: {exc}")
    if skipped:
        log.info("%s: skipped %d records that are not HTML responses", path, skipped)


def _check_read_to_the_end(fh, parsed_to: int) -> None:
    """Raise EOFError when bytes other than blank lines follow the last record warcio parsed:
    a file cut inside a record's headers makes warcio stop without an error."""
    fh.seek(parsed_to)
    rest = fh.read(1 << 16)
    if rest.strip():
        raise EOFError(f"unparsable bytes after byte {parsed_to:,}: the file is cut short inside a record")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _warc_date(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)
