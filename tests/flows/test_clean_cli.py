"""`newsetl clean`: JSON lines in, cleaned JSON lines out, through the real command."""

import json
import subprocess
import sys

from tests.conftest import seed_text

PAGE = """<html><head><title>Bridge reopens after repairs</title></head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>Bridge reopens after repairs</h1>
<p>The old river bridge reopened to traffic on Thursday after eight months of repairs that cost the city more than twelve million dollars.</p>
<p>Engineers replaced the steel deck and strengthened the piers, which had been damaged by floods two winters ago, the city's transport office said.</p>
<p>Cyclists will get a separate lane on the bridge from next spring, when the second phase of the works is finished.</p>
</article><footer>Privacy policy</footer></body></html>"""


def run_clean(lines: list[str]) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "clean"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, timeout=300, check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_clean_text_and_html_pages_and_keep_output_aligned():
    out = run_clean([
        json.dumps({"id": "seed", "text": seed_text("002")}),
        "{broken",
        json.dumps({"id": "page", "html": PAGE, "url": "https://news.example.com/bridge"}),
    ])
    assert [row["id"] for row in out] == ["seed", None, "page"]
    seed, broken, page = out
    assert seed["title"].startswith("Trump: Putin to Halt Attacks on Kyiv")
    assert seed["byline"] == "Mark Thompson"
    assert "Leave a Comment" not in seed["text"] and not seed["text"].startswith(seed["title"])
    assert {"line_no": 43, "text": "You may also like", "reason": "widget"} in seed["removed"]
    assert "malformed JSON" in broken["error"]
    assert page["title"] == "Bridge reopens after repairs" and page["language"] == "en"
    assert page["text"].startswith("The old river bridge reopened")
    assert "Privacy policy" not in page["text"]
    assert any(r["reason"] == "not_main_content" and r["text"] == "Privacy policy" for r in page["removed"])


def test_clean_output_carries_the_pages_metadata():
    head = (
        '<link rel="canonical" href="https://www.valleygazette.com/local/2024/05/03/bridge-reopens?utm_source=rss">'
        '<meta property="og:site_name" content="Valley Gazette">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge reopens after repairs",'
        ' "datePublished": "2024-05-03T08:15:00Z", "author": [{"@type": "Person", "name": "Ann Lee"},'
        ' {"@type": "Organization", "name": "Valley Gazette Staff"}]}</script>'
    )
    html = PAGE.replace("<title>Bridge reopens after repairs</title>", f"<title>Bridge reopens after repairs | Valley Gazette</title>{head}")
    [row] = run_clean([json.dumps({"id": "page", "html": html})])
    assert row["url"] == "https://www.valleygazette.com/local/2024/05/03/bridge-reopens"
    assert (row["source"], row["source_from"]) == ("valleygazette.com", "url")
    assert (row["title"], row["site_name"]) == ("Bridge reopens after repairs", "Valley Gazette")
    assert (row["published_at"], row["published_precision"], row["published_from"]) == ("2024-05-03T08:15:00+00:00", "day", "structured_data")
    assert row["authors"] == ["Ann Lee"] and row["attribution"] == "Valley Gazette Staff"
