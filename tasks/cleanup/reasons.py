"""The reason codes of removed lines: every dropped line carries one."""

from __future__ import annotations

REASONS = {
    "duplicate": "repeats an earlier line of the page (repeated headline, masthead)",
    "widget": "call-to-action or widget phrasing: share, comments, related/more news, newsletter, cookies, ads",
    "copyright": "copyright or rights line",
    "byline": "author line; the name is kept in articles.byline",
    "credit": "wire or staff credit line; kept in articles.attribution",
    "caption": "photo caption (a line that ends with its photo credit)",
    "foreign_language": "short line in another language than the body",
    "navigation": "short fragment above the headline or before the body: masthead, section label, breadcrumb",
    "dateline": "date or 'posted/updated' line above the body",
    "after_body": "line after the end of the article: comments, related stories, tags, footer",
    "not_main_content": "HTML block the main-text extractor left out",
    "source_chrome": "line that recurs on many pages of the same source (learnt from history)",
    "line_model": "line the learned line model scores as chrome with confidence (tasks/cleanup/line_model.json)",
}
