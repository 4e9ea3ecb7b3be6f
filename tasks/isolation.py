"""Run a batch stage so that one bad record is quarantined instead of failing the batch."""

from __future__ import annotations

from collections.abc import Callable

from newsetl.tasks.records import Article, Quarantined

def isolate_failures(
    stage_fn: Callable[[list[Article]], list[Article]], articles: list[Article], stage: str
) -> tuple[list[Article], list[Quarantined]]:
    """Apply `stage_fn` to the whole batch; if it raises, apply it record by record.

    Returns (the records it processed, a `Quarantined` for each record it failed on).
    Only the failing records are lost to later stages, and each says why.
    """
    try:
        return stage_fn(articles), []
    except Exception:  # noqa: BLE001 - any failure is isolated below and reported per record
        pass
    done: list[Article] = []
    failed: list[Quarantined] = []
    for article in articles:
        try:
            done.extend(stage_fn([article]))
        except Exception as exc:  # noqa: BLE001
            failed.append(
                Quarantined(
                    source_uri=article.source_uri,
                    stage=stage,
                    error=f"{type(exc).__name__}: {exc}",
                    doc_id=article.doc_id,
                    content_hash=article.content_hash,
                )
            )
    return done, failed
