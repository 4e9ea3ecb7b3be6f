"""The extractors' ERROR lines for pages they cannot parse do not reach newsetl's console."""

import logging
from datetime import datetime, timezone

from newsetl.tasks.cleanup import clean_html
from newsetl.tasks.metadata import extract_metadata
from newsetl.tasks.records import Article, content_hash

# A fragment as some crawls store it: no <html>, one element at the top. trafilatura and
# htmldate both log "parsed tree length: 1, wrong data type or not valid HTML" for it.
FRAGMENT = ('<div id="main"><div class="post"><h2>Council votes to rebuild the old bridge</h2>'
            "<p>The council voted on Tuesday to rebuild the old bridge over the river before winter. "
            "The work starts in March and takes about eight months, the mayor said.</p></div></div>")


def test_a_page_the_extractors_cannot_parse_is_handled_without_their_error_lines(caplog):
    # trafilatura's import sets htmldate's logger to WARNING; a stage imported after another
    # must not bring the lines back.
    logging.getLogger("htmldate").setLevel(logging.WARNING)
    article = Article(
        doc_id="d1", source_uri="/crawl/fragments/bridge.html", source="fragments", raw_text=FRAGMENT,
        content_hash=content_hash(FRAGMENT), input_format="html", fetched_at=datetime(2024, 6, 1, tzinfo=timezone.utc),
        source_from="folder",
    )
    with caplog.at_level(logging.DEBUG):
        meta = extract_metadata([article])[0]
        cleaned = clean_html(FRAGMENT, "en")
    assert meta.published_at is None
    assert "rebuild the old bridge over the river" in cleaned.body
    noisy = [r for r in caplog.records if r.name.split(".")[0] in ("htmldate", "trafilatura") and r.levelno >= logging.WARNING]
    assert noisy == []
