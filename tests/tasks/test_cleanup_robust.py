"""Cleanup never loses a page: every crash class gives a result or a per-page quarantine.

One test per way a page used to be lost: a dated line in a language dateparser does not
know, an impossible date, an extractor that finds nothing or fails, a page nested deeper
than the HTML parser reads, a giant page, and a `newsetl clean` stream with one broken
page among good ones. All pages here are invented.
"""

import io
import re
import json
from datetime import datetime, timezone

import pytest

from newsetl.flows.clean_stream import clean_stream
from newsetl.tasks import cleanup
from newsetl.tasks.cleanup import clean_articles, clean_batch, clean_html, clean_text
from newsetl.tasks.html_text import html_to_lines
from newsetl.tasks.language import detect_languages
from newsetl.tasks.metadata.html_meta import read_page_meta
from newsetl.tasks.records import Article

NORWEGIAN = """\
Nyheter
Ny bro over elva åpner til sommeren
Publisert 12. mars 2024 kl. 10.15
Av Kari Nordmann
Den nye brua over elva skal etter planen åpne for trafikk i juni, opplyser kommunen i en pressemelding onsdag.
Arbeidet har tatt nesten to år, og prosjektet har kostet langt mer enn det som først var anslått av politikerne.
Ordføreren sier at hun er glad for at innbyggerne endelig får en tryggere vei til skolen og til sentrum.
"""

ENGLISH_PARAGRAPHS = [
    "The council approved the new budget for the harbour district on Tuesday after a debate that lasted most of the night.",
    "Members of the opposition said the plan did too little for the families who rent flats near the old fish market.",
    "The mayor said work on the sea wall would begin in the spring and should be finished before the autumn storms arrive.",
]


def article(doc_id: str, raw: str, fmt: str = "text", language: str | None = None) -> Article:
    return Article(doc_id, f"test://{doc_id}", "example.org", raw, f"hash-{doc_id}", fmt, datetime.now(timezone.utc), language=language)


@pytest.mark.parametrize("language", ["und", "no", "xx", None])
def test_a_dated_line_in_a_language_dateparser_does_not_know_is_cleaned(language):
    result = clean_text(NORWEGIAN, language)
    assert "Den nye brua over elva" in result.body
    assert "Publisert 12. mars 2024" not in result.body


def test_an_impossible_date_is_no_date_not_an_error():
    text = "Harbour budget approved\nBy Ann Lee | 31 February 0000, 25:99\n" + "\n".join(ENGLISH_PARAGRAPHS)
    result = clean_text(text, "en")
    assert result.body.startswith("The council approved")
    assert result.published is None


def test_a_page_the_extractor_finds_nothing_in_still_gives_its_body():
    # Paragraphs in bare <div>s inside a <form>: an invented layout the extractor may skip.
    page = "<html><body><form>" + "".join(f"<div>{p}</div>" for p in ENGLISH_PARAGRAPHS) + "</form></body></html>"
    result = clean_html(page, "en")
    for paragraph in ENGLISH_PARAGRAPHS:
        assert paragraph in result.body


def test_an_extractor_failure_falls_back_to_the_page_lines(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("extractor failed")

    monkeypatch.setattr("trafilatura.bare_extraction", broken)
    page = "<html><body><nav>Home | News</nav>" + "".join(f"<p>{p}</p>" for p in ENGLISH_PARAGRAPHS) + "</body></html>"
    result = clean_html(page, "en")
    assert all(p in result.body for p in ENGLISH_PARAGRAPHS)


def test_a_page_without_any_text_is_flagged_not_lost():
    [out] = clean_articles([article("empty", "<html><body><script>var a = 1;</script></body></html>", "html")])
    assert not out.is_article and out.not_article_reason == "empty_after_cleanup"


def test_a_page_nested_deeper_than_the_parser_reads_keeps_its_text():
    depth = 5000
    page = "<div>" * depth + "".join(f"<p>{p}</p>" for p in ENGLISH_PARAGRAPHS) + "</div>" * depth
    lines = html_to_lines(page)
    assert lines == ENGLISH_PARAGRAPHS
    assert "The council approved" in clean_html(page, "en").body


def test_a_giant_page_is_quarantined_with_a_reason_and_the_batch_goes_on():
    good = article("good", "Harbour budget approved\n" + "\n".join(ENGLISH_PARAGRAPHS), language="en")
    giant = article("giant", "word " * (cleanup.MAX_PAGE_CHARS // 5 + 1), language="en")
    done, failed = clean_batch([giant, good])
    assert [a.doc_id for a in done] == ["good"]
    assert [q.doc_id for q in failed] == ["giant"]
    assert failed[0].stage == "cleanup" and "PageTooLarge" in failed[0].error


def test_language_is_detected_on_the_lines_cleanup_reads():
    german = [
        "Die Stadt hat am Mittwoch beschlossen, die alte Brücke über den Fluss bis zum Sommer vollständig zu sanieren.",
        "Nach Angaben der Verwaltung sollen die Arbeiten rund zwölf Millionen Euro kosten und im Juni beginnen.",
    ]
    # Text in bare <div>s under English menus: whatever the extractor makes of it, the
    # visible lines are there and are German.
    page = "<html><body><div>Home</div><div>Sign in</div><div>Subscribe now</div>" + "".join(f"<div>{p}</div>" for p in german) + "</body></html>"
    [detected] = detect_languages([article("de", page, "html")])
    assert detected.language == "de"


def test_clean_stream_returns_every_other_page_when_one_is_broken():
    lines = [
        json.dumps({"id": "a", "text": "Harbour budget approved\n" + "\n".join(ENGLISH_PARAGRAPHS)}),
        json.dumps({"id": "giant", "text": "word " * (cleanup.MAX_PAGE_CHARS // 5 + 1)}),
        "{not json",
        json.dumps({"id": "no", "text": NORWEGIAN}),
        json.dumps({"id": "b", "html": "<p>" + "</p><p>".join(ENGLISH_PARAGRAPHS) + "</p>"}),
    ]
    out = io.StringIO()
    assert clean_stream(lines, out) == 5
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["id"] for row in rows] == ["a", "giant", None, "no", "b"]
    # Quarantined by the first stage that meets it (the stages' size budget, or cleanup's own cap).
    assert re.search(r"PageTooLarge|too_large", rows[1]["error"]) and "malformed JSON" in rows[2]["error"]
    assert rows[0]["text"].startswith("The council approved")
    assert "Den nye brua" in rows[3]["text"]
    assert rows[4]["text"].startswith("The council approved")


def test_an_xhtml_page_with_an_xml_declaration_has_lines_language_and_title():
    # Old XHTML sites start with an XML declaration naming the encoding; the page is
    # already decoded, and lxml refuses such a string: it used to read as nothing.
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Harbour budget approved</title></head><body>'
        + "".join(f"<p>{p}</p>" for p in ENGLISH_PARAGRAPHS) + "</body></html>"
    )
    assert html_to_lines(page) == ENGLISH_PARAGRAPHS
    assert detect_languages([article("x", page, fmt="html")])[0].language == "en"
    assert read_page_meta(page).title == "Harbour budget approved"


def test_a_page_rendered_by_script_is_read_from_its_noscript_content():
    # A forum that renders its posts by JavaScript ships them in <noscript> for readers
    # (and crawlers) without it: that is the page's text.
    posts = "".join(f"<div class='post'><p>{p}</p></div>" for p in ENGLISH_PARAGRAPHS)
    page = f"<html><body><div id='app'>Loading</div><noscript>{posts}</noscript></body></html>"
    assert html_to_lines(page)[-3:] == ENGLISH_PARAGRAPHS
    assert detect_languages([article("forum", page, fmt="html")])[0].language == "en"


def test_a_tracking_pixel_in_noscript_is_not_text():
    pixel = '<noscript><img width=1 height=1 alt="" src="https://stats.example.org/b?P=a1b2c3&T=999"></noscript>'
    page = f"<html><body>{pixel}<p>Short note.</p>{pixel}</body></html>"
    assert html_to_lines(page) == ["Short note."]
