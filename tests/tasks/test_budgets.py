"""Per-article size and time budgets in the CPU stages (issue 16, item 4): a page over budget is
quarantined with `too_large` or `timeout`, and the rest of its batch goes through."""

import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from newsetl.tasks.cleanup import clean_articles
from newsetl.tasks.isolation import Budget, StageTimeout, deadline, isolate_failures
from newsetl.tasks.records import Article, content_hash
from newsetl.tasks.source_chrome import SourceHistory

BODY = "<html><body><article><h1>Bridge repair</h1><p>The council agreed on Tuesday to repair the old bridge.</p></article></body></html>"


def page(name: str, html: str = BODY) -> Article:
    return Article(doc_id=name, source_uri=name, source="site", raw_text=html, content_hash=content_hash(html),
                   input_format="html", fetched_at=datetime.now(timezone.utc))


def spin_if_marked(articles: list[Article]) -> list[Article]:
    """A stage that never ends (pure Python) on an article whose text says 'endless'."""
    for article in articles:
        while "endless" in article.raw_text:
            pass
    return [replace(a, clean_text="done") for a in articles]


def test_an_endless_article_is_quarantined_with_timeout_and_the_others_go_through():
    batch = [page("a"), page("b", BODY.replace("Bridge", "endless")), page("c")]
    done, failed = isolate_failures(spin_if_marked, batch, "cleanup", Budget(seconds=0.3, seconds_per_article_in_batch=0.1))
    assert [a.doc_id for a in done] == ["a", "c"] and all(a.clean_text == "done" for a in done)
    assert [(q.source_uri, q.stage, q.error.split(":")[0]) for q in failed] == [("b", "cleanup", "timeout")]


def test_pages_over_the_size_caps_are_quarantined_before_the_stage_runs():
    huge = page("huge", "<p>" + "x" * 20_000 + "</p>")
    deep = page("deep", "<b>" * 3_000)  # 9,000 characters: under the size cap, over the markup cap
    seen = []

    def stage(articles):
        seen.extend(a.doc_id for a in articles)
        return articles

    done, failed = isolate_failures(stage, [page("ok"), huge, deep], "language", Budget(max_chars=10_000, max_tags=1_000))
    assert seen == ["ok"] and [a.doc_id for a in done] == ["ok"]
    assert {q.source_uri: q.error for q in failed} == {
        "huge": "too_large: 20,007 characters, over the 10,000 limit",
        "deep": "too_large: 3,000 markup elements, over the 1,000 limit",
    }


def test_the_real_cleanup_stage_with_a_huge_single_line_page_does_not_hold_the_batch():
    one_line = page("one-line", "<p>" + "word " * 400_000 + "</p>")  # 2 MB on one line
    batch = [page("a"), one_line, page("b")]
    done, failed = isolate_failures(
        lambda b: clean_articles(b, SourceHistory(), {a.doc_id: frozenset() for a in b}), batch, "cleanup",
        Budget(max_chars=1_000_000),
    )
    assert sorted(a.doc_id for a in done) == ["a", "b"] and [q.error.split(":")[0] for q in failed] == ["too_large"]


def test_deadline_stops_only_the_thread_that_set_it_and_leaves_nothing_pending():
    other_ran = threading.Event()
    worker = threading.Thread(target=lambda: (time.sleep(0.4), other_ran.set()))
    worker.start()
    with pytest.raises(StageTimeout):
        with deadline(0.1):
            while True:
                pass
    worker.join()
    assert other_ran.is_set()
    with deadline(5):  # finishing in time raises nothing, then or later
        total = sum(range(1000))
    time.sleep(0.05)
    assert total == 499500
