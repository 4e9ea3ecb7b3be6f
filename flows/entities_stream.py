"""`newsetl entities`: run entity extraction over JSON lines, exactly as the pipeline does.

Input lines: {"id", "text", "language"?}; without "language" the pipeline's language
detection decides. Output lines: {"id", "language", "ner_model", "entities": [{"start", "end",
"label", "kind", "text", "canonical", "entity_id"}]}, offsets being character offsets into
the input `text`; a line that cannot be read gives {"id", "error"} in its place, so output
stays aligned with input. A language without a model gives an empty entity list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TextIO

from newsetl.flows.clean_stream import stream_json_lines
from newsetl.tasks.entities import extract_entities
from newsetl.tasks.language import detect_languages
from newsetl.tasks.records import Article


def _article(text: str, language: str | None, line_no: int, now: datetime) -> Article:
    return Article(
        doc_id=f"-#L{line_no}", source_uri="-", source="stdin", raw_text=text, content_hash="",
        input_format="text", fetched_at=now, language=language, clean_text=text,
    )


def _parse(raw: bytes, line_no: int, now: datetime) -> tuple[object, Article | str]:
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, f"malformed JSON line {line_no}: {exc}"
    if not isinstance(obj, dict):
        return None, f"line {line_no}: expected a JSON object"
    text, language = obj.get("text"), obj.get("language")
    if not isinstance(text, str):
        return obj.get("id"), f"line {line_no}: \"text\" must be a string"
    if language is not None and not isinstance(language, str):
        return obj.get("id"), f"line {line_no}: \"language\" must be a string"
    return obj.get("id"), _article(text, language or None, line_no, now)


def _entities_batch(batch: list[tuple[object, Article | str]], batch_size: int) -> Iterator[dict]:
    articles = [item for _, item in batch if isinstance(item, Article)]
    undetected = [a for a in articles if a.language is None]
    detected = {a.doc_id: a for a in detect_languages(undetected)}
    articles = [detected.get(a.doc_id, a) for a in articles]
    done = iter(extract_entities(articles, batch_size=batch_size))
    for record_id, item in batch:
        if not isinstance(item, Article):
            yield {"id": record_id, "error": item}
            continue
        a = next(done)
        yield {
            "id": record_id, "language": a.language, "ner_model": a.ner_model,
            "entities": [
                {"start": e.start_char, "end": e.end_char, "label": e.label, "kind": e.kind, "text": e.text,
                 "canonical": e.canonical, "entity_id": e.entity_id}
                for e in a.entities
            ],
        }


def entities_stream(lines: Iterable[bytes | str], out: TextIO, batch_size: int = 64) -> int:
    """Extract entities for each JSON line of `lines` and write one JSON line per input line to `out`;
    return the number of lines written."""
    now = datetime.now(timezone.utc)
    return stream_json_lines(
        lines, out, batch_size, lambda raw, line_no: _parse(raw, line_no, now),
        lambda batch: _entities_batch(batch, batch_size),
    )

