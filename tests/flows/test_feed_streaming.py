"""A feed's pages are streamed into batches (issue 16, item 4): each batch of entries is
fetched, stored, and only then the next is fetched, so memory holds about one batch of
pages whatever the feed size; a run that dies after a batch stores every entry once after
the re-run. Real HTTP on 127.0.0.1; the order of fetch and store events is the measure."""

import os
import signal
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from newsetl.flows import pipeline as pipeline_module
from newsetl.flows.pipeline import pipeline
from newsetl.tasks.store import StorageError
from tests.flows.cli_runs import CliRun, gone, server_children

ENTRIES = 60
BATCH = 10
TOWNS = "Eastwick Northam Southby Westerley Ashford Brookmere Coldharbour Dunmore Elmstead Farrow".split()
TOPICS = "bridge library harbour market school station theatre hospital ferry reservoir".split()


def page(i: int) -> str:
    """An invented article, distinct for every i (no two pages are copies of each other)."""
    town, topic = TOWNS[i % 10], TOPICS[(i // 10) % 10]
    return (
        f"<html><head><title>{town} {topic} report {i}</title></head><body><article><h1>{town} {topic} report {i}</h1>"
        f"<p>The {topic} in {town} will close for {i + 3} weeks from Monday while engineers replace its {i % 7 + 2} oldest beams, "
        f"the district council said in a statement on item {i}.</p>"
        f"<p>Residents of {town} asked for a temporary service; the council promised an answer by the {i % 27 + 1}th.</p>"
        "</article></body></html>"
    )


class FeedServer:
    """A loopback server with one RSS feed of ENTRIES entries (/feed.xml, ETag "v1") and their pages.

    `events` records ("fetch", path) for every page request, in order; `hold_at` makes the
    request for that page wait until `release` is set (a test kills the run meanwhile)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.hits: Counter = Counter()
        self.hold_at: str | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                owner.hits[self.path] += 1
                base = f"http://127.0.0.1:{self.server.server_port}"
                if self.path == "/feed.xml":
                    if self.headers.get("If-None-Match") == '"v1"':
                        self.send_response(304)
                        self.end_headers()
                        return
                    items = "".join(f"<item><title>Report {i}</title><link>{base}/p{i}.html</link></item>" for i in range(ENTRIES))
                    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>District Wire</title>{items}</channel></rss>'
                    self._send(body, "application/rss+xml", etag='"v1"')
                    return
                owner.events.append(("fetch", self.path))
                if self.path == owner.hold_at:
                    owner.holding.set()
                    owner.release.wait(120)
                self._send(page(int(self.path[2:-5])), "text/html; charset=utf-8")

            def _send(self, body, ctype, etag=None):
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client was killed while we held the request
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.feed = f"http://127.0.0.1:{self.server.server_port}/feed.xml"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


def record_stores(monkeypatch, events: list, fail_on_call: int | None = None) -> None:
    """Wrap the pipeline's batch writer so that each write appends ("stored", n articles) to
    `events`; the call numbered `fail_on_call` raises a StorageError instead (a disk that fills)."""
    real = pipeline_module.write_batch_task
    calls = Counter()

    def write(db_path, run_id, deduped, lock):
        # the pipeline hands batches to tasks wrapped in Prefect's `opaque` (no parameter walk)
        deduped = deduped.unwrap() if hasattr(deduped, "unwrap") else deduped
        calls["n"] += 1
        if calls["n"] == fail_on_call:
            raise StorageError(f"no space left on device: {db_path}")
        written = real(db_path, run_id, deduped, lock)
        events.append(("stored", len(deduped.articles)))
        return written

    write.fn = real.fn
    monkeypatch.setattr(pipeline_module, "write_batch_task", write)


def stored(db) -> tuple[list[str], int, list[str]]:
    """(source_uri of every stored article, number of distinct ones, URIs with a stored input_state)."""
    with duckdb.connect(str(db), read_only=True) as con:
        uris = [row[0] for row in con.execute("SELECT source_uri FROM articles").fetchall()]
        states = [row[0] for row in con.execute("SELECT uri FROM input_state").fetchall()]
    return uris, len(set(uris)), states


def most_pages_held(events: list) -> int:
    """The largest number of pages fetched and not yet stored, along the event order."""
    held = peak = 0
    for kind, value in events:
        held += 1 if kind == "fetch" else -value
        peak = max(peak, held)
    return peak


def test_a_big_feed_is_stored_completely_one_batch_of_pages_at_a_time(feed_server, monkeypatch, tmp_path):
    record_stores(monkeypatch, feed_server.events)
    db = tmp_path / "feed.duckdb"

    result = pipeline(paths=[feed_server.feed], db=str(db), batch_size=BATCH)

    uris, distinct, states = stored(db)
    assert result.counts.articles_new == ENTRIES and len(uris) == distinct == ENTRIES
    stores = [value for kind, value in feed_server.events if kind == "stored"]
    assert stores == [BATCH] * (ENTRIES // BATCH)
    # Each batch is stored before a page of the next one is fetched.
    assert most_pages_held(feed_server.events) == BATCH
    assert feed_server.feed in states

    again = pipeline(paths=[feed_server.feed], db=str(db), batch_size=BATCH)
    assert again.counts.articles_new == 0 and feed_server.hits["/feed.xml"] == 2  # one 304, no page fetched
    assert all(feed_server.hits[f"/p{i}.html"] == 1 for i in range(ENTRIES))


def test_a_run_failing_after_the_first_batch_stores_each_entry_once_after_the_rerun(feed_server, monkeypatch, tmp_path):
    db = tmp_path / "feed.duckdb"
    record_stores(monkeypatch, feed_server.events, fail_on_call=2)
    with pytest.raises(StorageError):
        pipeline(paths=[feed_server.feed], db=str(db), batch_size=BATCH)
    uris, _, states = stored(db)
    assert len(uris) == BATCH and feed_server.feed not in states  # the feed's validators wait for its last entry

    monkeypatch.undo()
    assert pipeline(paths=[feed_server.feed], db=str(db), batch_size=BATCH).counts.articles_new == ENTRIES - BATCH
    uris, distinct, states = stored(db)
    assert len(uris) == distinct == ENTRIES and feed_server.feed in states
    assert feed_server.hits["/feed.xml"] == 2  # fetched again in full: no validators were stored
    assert all(feed_server.hits[f"/p{i}.html"] == 1 for i in range(BATCH))  # stored entries are not fetched again


def test_a_run_killed_in_the_middle_of_a_feed_loses_nothing_and_duplicates_nothing(feed_server, tmp_path):
    db = tmp_path / "feed.duckdb"
    feed_server.hold_at = f"/p{BATCH + 3}.html"  # in the second batch: the first is stored by then
    run = CliRun([feed_server.feed, "--db", str(db), "--batch-size", str(BATCH)], cwd=tmp_path)
    server = server_children(run)
    assert feed_server.holding.wait(180), run.output
    os.kill(run.process.pid, signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL
    feed_server.release.set()
    assert gone(server)
    uris, _, states = stored(db)
    assert len(uris) == BATCH and feed_server.feed not in states

    assert pipeline(paths=[feed_server.feed], db=str(db), batch_size=BATCH).status == "COMPLETED"
    uris, distinct, states = stored(db)
    assert len(uris) == distinct == ENTRIES and feed_server.feed in states
    assert all(feed_server.hits[f"/p{i}.html"] == 1 for i in range(BATCH))
