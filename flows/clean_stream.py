"""`newsetl clean`: run metadata, language detection and cleanup over JSON lines, exactly as the pipeline does.

Input lines: {"id", "html"} or {"id", "text"}, optional "url", "source", "title", "published_at".
Output lines: {"id", "text", "title", "site_name", "url", "source", "source_from", "authors",
"byline", "attribution", "published_at", "published_precision", "published_from", "language",
"is_article", "not_article_reason", "removed": [{"line_no", "text", "reason"}]}; a line that cannot be
read or cleaned (malformed JSON, a page too large) gives {"id", "error"} in its place, so
output stays aligned with input and one broken page never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import TextIO

from newsetl.tasks.cleanup import article_body, clean_batch
from newsetl.tasks.ingest import InputUnit, record_to_article
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks.metadata import extract_metadata, settle_metadata
from newsetl.tasks.language import detect_languages
from newsetl.tasks.records import Article

STDIN = InputUnit("-", "stdin")


def _clean_batch(batch: list[tuple[object, Article | str]]) -> Iterator[dict]:
    """Metadata, language detection and cleanup over one batch; a page that fails any gets
    {"id", "error"} in its place and every other page its result."""
    articles = [item for _, item in batch if isinstance(item, Article)]
    described, meta_failed = isolate_failures(extract_metadata, articles, "metadata")
    detected, lang_failed = isolate_failures(detect_languages, described, "language")
    cleaned, clean_failed = clean_batch(detected)
    settled, settle_failed = isolate_failures(settle_metadata, cleaned, "metadata")
    by_id = {a.doc_id: a for a in settled}
    errors = {q.doc_id: f"{q.stage}: {q.error}" for q in (*meta_failed, *lang_failed, *clean_failed, *settle_failed)}
    for record_id, item in batch:
        if not isinstance(item, Article):
            yield {"id": record_id, "error": item}
            continue
        a = by_id.get(item.doc_id)
        if a is None:
            yield {"id": record_id, "error": errors.get(item.doc_id, "cleanup: page not cleaned")}
            continue
        yield {
            "id": record_id, "text": article_body(a), "title": a.title, "site_name": a.site_name, "url": a.url,
            "source": a.source, "source_from": a.source_from, "authors": list(a.authors),
            "byline": a.byline, "attribution": a.attribution,
            "published_at": a.published_at.isoformat() if a.published_at else None,
            "published_precision": a.published_precision, "published_from": a.published_from,
            "language": a.language, "is_article": a.is_article, "not_article_reason": a.not_article_reason,
            "removed": [{"line_no": r.line_no, "text": r.text, "reason": r.reason} for r in a.removed_lines],
        }


def clean_stream(lines: Iterable[bytes | str], out: TextIO, batch_size: int = 200) -> int:
    """Clean each JSON line of `lines` and write one JSON line per input line to `out`; return the count."""
    fetched_at = datetime.now(timezone.utc)

    def parse(raw: bytes, line_no: int) -> tuple[object, Article | str]:
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return None, f"malformed JSON line {line_no}: {exc}"
        record_id = obj.get("id") if isinstance(obj, dict) else None
        item = record_to_article(obj, STDIN, f"-#L{line_no}", raw, fetched_at)
        return record_id, item if isinstance(item, Article) else item.error

    return stream_json_lines(lines, out, batch_size, parse, _clean_batch)


def stream_json_lines(
    lines: Iterable[bytes | str], out: TextIO, batch_size: int,
    parse: Callable[[bytes, int], tuple[object, Article | str]],
    process: Callable[[list[tuple[object, Article | str]]], Iterable[dict]],
) -> int:
    """Read JSON lines (blank ones skipped), `parse(raw, line_no)` each into (id, Article or
    error), hand them to `process` `batch_size` at a time and write what it yields as JSON
    lines to `out`, one per input line; return how many lines were written."""
    batch: list[tuple[object, Article | str]] = []
    written = 0
    for line_no, line in enumerate(lines, start=1):
        raw = line.encode("utf-8") if isinstance(line, str) else line
        if not raw.strip():
            continue
        batch.append(parse(raw, line_no))
        if len(batch) >= batch_size:
            written += write_json_lines(process(batch), out)
            batch = []
    if batch:
        written += write_json_lines(process(batch), out)
    return written


def write_json_lines(rows: Iterable[dict], out: TextIO) -> int:
    """Write each row as one JSON line to `out` (UTF-8 as is), flush, and return how many."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    out.flush()
    return count
