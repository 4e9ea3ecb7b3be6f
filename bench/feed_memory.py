"""Benchmark: peak memory of fetching one big feed, all pages at once (before) against
streamed in batches (now, tasks/feeds.py).

A loopback HTTP server in this process serves an RSS feed of N entries whose pages are
about PAGE_KB of invented HTML each. Each mode runs in a fresh Python process that
fetches the whole feed through newsetl's ingest code and reports its own peak RSS:

    before    `fetch_sources([feed])`: the feed expanded and every page fetched and held
              before anything goes on (what ingest did for a feed until issue 16)
    streamed  `expand_feeds` + `batch_units` + `fetch_units`, as flows/pipeline.py runs
              them; each batch of articles is dropped once fetched, as the pipeline
              drops it once stored

Only the ingest side is measured (the CPU stages on 200 MB of pages would take an hour
here and hold one batch at a time in both cases). Ratios are against `before` in the
same run.

    .venv/bin/python bench/feed_memory.py [--entries 1000] [--page-kb 200] [--batch-size 200]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = (
    "council harbour bridge river minister report market school hospital station festival storm budget"
    " ferry library theatre reservoir district engineers residents week statement plans repairs funding"
).split()

CHILD = r"""
import json, resource, sys
from pathlib import Path
from newsetl.tasks.feeds import fetch_sources
from newsetl.tasks.ingest import InputUnit, _decode_body, _domain, batch_units, expand_feeds, fetch_units
from newsetl.tasks.settings import Settings

mode, feed, batch_size, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
settings = Settings(db_path=Path(db), batch_size=batch_size, full_refresh=True)  # full refresh: no database read
start_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
articles = 0
if mode == "before":
    result = fetch_sources([feed], {}, _domain, _decode_body, max_bytes=settings.max_file_bytes)
    articles = len(result.articles)
else:
    for batch in batch_units(expand_feeds([InputUnit(feed, "bench")], settings), batch_size):
        articles += len(fetch_units(batch, settings, lambda urls: set()).articles)
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"articles": articles, "start_mb": start_kb / 1024, "peak_mb": peak_kb / 1024}))
"""


def make_page(i: int, page_kb: int) -> bytes:
    """About `page_kb` KB of invented HTML for entry i (seeded: the same on every run)."""
    rng = random.Random(i)
    paragraphs, size = [], 0
    while size < page_kb * 1024:
        paragraph = "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>"
        paragraphs.append(paragraph)
        size += len(paragraph)
    return f"<html><head><title>Report {i}</title></head><body><article>{''.join(paragraphs)}</article></body></html>".encode()


def serve(entries: int, page_kb: int) -> tuple[ThreadingHTTPServer, str]:
    """Start the feed server on 127.0.0.1; return it and the feed URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/feed.xml":
                items = "".join(f"<item><title>Report {i}</title><link>{base}/p{i}.html</link></item>" for i in range(entries))
                body, ctype = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode(), "application/rss+xml"
            else:
                body, ctype = make_page(int(self.path[2:-5]), page_kb), "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/feed.xml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--page-kb", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    server, feed = serve(args.entries, args.page_kb)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for mode in ("before", "streamed"):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, mode, feed, str(args.batch_size), f"{tmp}/unused.duckdb"],
                    capture_output=True, text=True, check=True,
                )
                rows.append((mode, json.loads(out.stdout.strip().splitlines()[-1])))
    finally:
        server.shutdown()
        server.server_close()
    base = rows[0][1]["peak_mb"]
    print(f"\nfeed of {args.entries} entries, pages of ~{args.page_kb} KB, batch size {args.batch_size} (ingest only)\n")
    print(f"| {'mode':<9} | articles | RSS after imports MB | peak RSS MB | peak vs before |")
    print(f"|{'-' * 11}|---------:|--------------------:|------------:|---------------:|")
    for mode, row in rows:
        print(f"| {mode:<9} | {row['articles']:>8} | {row['start_mb']:>19.0f} | {row['peak_mb']:>11.0f} | {row['peak_mb'] / base:>14.2f} |")


if __name__ == "__main__":
    main()
