"""The decision on top of the line model: where it overrides the rules, and the body it gives.

The rules (text_mode.py, html_mode.py) give every line a verdict: kept, or a reason. The
line model (line_model.py) gives every line a probability of being body. A line's verdict
changes only where the model is confident: kept when p is at or above the top of the
mode's band, dropped (reason "line_model") at or below its bottom; in between the rules stand,
except after the text-mode end-of-body cut, where the model decides alone up to a comment
thread (AFTER_CUT_KEEP). A line learnt as chrome
of its source stays dropped (the dev sets hold one page per site, so the model never saw
that signal). The result is rebuilt from the page's lines in order.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from newsetl.tasks.cleanup.line_features import PageLines, cut_columns, line_features
from newsetl.tasks.cleanup.line_model import LineModel
from newsetl.tasks.cleanup.result import CleanResult
from newsetl.tasks.language import normalise_line
from newsetl.tasks.records import RemovedLine

# The confidence band outside which the model overrides the rules, per mode: (keep when
# p >= first, drop when p <= second). Chosen on the leave-one-set-out macro F1 over the 7 dev
# sets (train on the other sets, score the held one; /tmp sweep with bench/cleanup.py's
# functions, trafilatura default extraction, 60 trees). HTML: 0.5/0.5 0.885, 0.6/0.4 0.889,
# 0.7/0.3 0.890, 0.8/0.2 0.889. Text: 0.5/0.5 0.816, 0.6/0.4 0.815, 0.7/0.3 0.811, 0.8/0.2
# 0.806; the wider bands are kept out because they lower scrapinghub (0.917 -> 0.899 at
# 0.5/0.5, 0.913 at 0.6/0.4) and 0.5/0.5 dragnet (0.800 -> 0.793). Figures move by <= 0.005
# over the bands tried: the choice is not sensitive.
TEXT_BAND = (0.7, 0.3)
# Text mode: a line the rules put after the end-of-body cut ("after_body") is kept when the
# model gives it at least this, whatever the band, unless a comments header or a comment's
# author line lies between the cut and it (then it is dropped: a thread is never the
# article). The cut is where the rules lose most body (LOSO: ~65k body words of dragnet's
# 296k, 41k of cleaneval's 602k), and the model sees it as a distance and the markers
# passed, not as a verdict (line_features.cut_columns). None: the band decides there too.
# LOSO text F1 (train on the other sets, score the held one; bench/cleanup.py's functions):
# | model sees the cut as | after the cut | scrapinghub | dragnet | cleaneval | googletrends | fundus | readability | wcxb | macro |
# | one-hot reason (before) | band 0.7/0.3 | 0.917 | 0.800 | 0.843 | 0.705 | 0.861 | 0.846 | 0.699 | 0.810 |
# | distance + markers | band 0.7/0.3 (1) | 0.919 | 0.803 | 0.844 | 0.707 | 0.861 | 0.849 | 0.704 | 0.813 |
# | distance + markers | p >= 0.5 | 0.917 | 0.802 | 0.849 | 0.710 | 0.867 | 0.845 | 0.714 | 0.815 |
# | distance + markers | p >= 0.4 | 0.916 | 0.786 | 0.854 | 0.718 | 0.867 | 0.851 | 0.724 | 0.817 |
# | distance + markers | p >= 0.5, dropped past comments | 0.922 | 0.812 | 0.849 | 0.710 | 0.867 | 0.845 | 0.715 | 0.817 |
# | distance + markers | p >= 0.4, dropped past comments | 0.921 | 0.805 | 0.853 | 0.718 | 0.867 | 0.851 | 0.725 | 0.820 |
# | distance + markers | p >= 0.45, dropped past comments | 0.922 | 0.809 | 0.852 | 0.713 | 0.867 | 0.850 | 0.720 | 0.819 |
# (1) from features derived from the first run's cache; the other rows from one run.
# End to end, the committed code (bench/cleanup.py's train() and decide path, fresh prepare):
# text 0.922 / 0.805 / 0.852 / 0.719 / 0.867 / 0.851 / 0.723, macro 0.820 (before: 0.810,
# wcxb 0.700); HTML LOSO 0.956 / 0.870 / 0.877 / 0.827 / 0.947 / 0.935 / 0.812, macro
# 0.8890 (before 0.8893: cleaneval 0.879 -> 0.877, fundus +0.001, wcxb +0.001).
# 0.4 chosen: no set below the one-hot row; sensitivity 0.4-0.5 moves the macro by 0.003.
# Tried and left out: the same threshold also for lines before the first kept line
# ("navigation"/"dateline" there): macro up to 0.824 but scrapinghub 0.917 -> 0.903-0.911;
# the body as the run of lines with the highest summed log-odds: macro 0.802-0.813.
AFTER_CUT_KEEP: float | None = 0.4
HTML_BAND = (0.7, 0.3)
# Reasons the model never overrides.
FINAL_REASONS = frozenset({"source_chrome"})


def page_from_result(
    lines: list[tuple[int, str]], rules: CleanResult, language: str | None, *,
    contexts: list[tuple[float, ...]] | None = None, extracted: list[bool] | None = None,
    text_rules_kept: list[bool] | None = None,
) -> PageLines:
    """Return the page as the model sees it, with each line's verdict taken from `rules`:
    the reason it was removed for (matched by line number), "headline", or None (kept)."""
    reason_of = {r.line_no: r.reason for r in rules.removed}
    title_key = normalise_line(rules.title) if rules.title else None
    headline_no = next((no for no, line in lines if title_key and normalise_line(line) == title_key and no not in reason_of), None)
    verdicts = ["headline" if no == headline_no else reason_of.get(no) for no, _ in lines]
    return PageLines(lines, verdicts, headline_no, language, contexts, extracted, text_rules_kept)


def decide(page: PageLines, model: LineModel, keep_above: float | None = None, drop_below: float | None = None) -> list[bool]:
    """Return, for each line of `page`, whether it is kept (body or headline); the band is
    the page mode's (TEXT_BAND, HTML_BAND) unless given."""
    if not page.lines:
        return []
    return decide_by_probabilities(page, model.probabilities(line_features(page)), keep_above, drop_below)


def decide_by_probabilities(
    page: PageLines, p: np.ndarray, keep_above: float | None = None, drop_below: float | None = None
) -> list[bool]:
    """`decide`, given the model's probabilities for the page's lines."""
    if not page.lines:
        return []
    band = HTML_BAND if page.contexts is not None else TEXT_BAND
    keep_above = band[0] if keep_above is None else keep_above
    drop_below = band[1] if drop_below is None else drop_below
    rules_keep = np.array([v is None or v == "headline" for v in page.verdicts])
    keep = np.where(p >= keep_above, True, np.where(p <= drop_below, False, rules_keep))
    if page.contexts is None and AFTER_CUT_KEEP is not None:  # text mode: the model decides across the cut
        after_cut = np.array([v == "after_body" for v in page.verdicts])
        past_comments = cut_columns(page)[:, 1] > 0  # column 1: a comments marker since the cut
        keep = np.where(after_cut, (p >= AFTER_CUT_KEEP) & ~past_comments, keep)
    return [
        bool(k) if v not in FINAL_REASONS and v != "headline" else v == "headline"
        for k, v in zip(keep, page.verdicts)
    ]


def result_from_decisions(page: PageLines, keep: list[bool], rules: CleanResult) -> CleanResult:
    """Rebuild the cleanup result from the decisions: body = the kept lines in page order
    (headline and repeats of a kept line excluded), removed = the others with the rules'
    reason, or "line_model" where the model dropped a line the rules kept."""
    body: list[str] = []
    removed: list[RemovedLine] = []
    seen: set[str] = set()
    for (no, line), kept, verdict in zip(page.lines, keep, page.verdicts):
        key = normalise_line(line)
        if verdict == "headline":
            seen.add(key)
            continue
        if kept and key and key in seen:
            removed.append(RemovedLine(no, line, "duplicate"))
            continue
        if kept:
            body.append(line)
            seen.add(key)
        else:
            removed.append(RemovedLine(no, line, verdict or "line_model"))
    return replace(rules, body="\n\n".join(body), removed=tuple(removed))


# trafilatura writes table rows as "| cell | cell |"; the clean text gets the cells alone.
_CELL_GAP = "   "


def _table_row_text(paragraph: str) -> str:
    """A "| a | b |" table row as its non-empty cells separated by _CELL_GAP; other paragraphs unchanged."""
    if not paragraph.startswith("|"):
        return paragraph
    cells = [cell.strip() for cell in paragraph.strip("|").split("|")]
    return _CELL_GAP.join(cell for cell in cells if cell)


def html_result_from_decisions(page: PageLines, keep: list[bool], rules: CleanResult) -> CleanResult:
    """Rebuild an HTML page's result from the decisions, keeping the extractor's text where
    the model agrees: a paragraph of the rules' body goes only when the model drops every
    page line inside it, and a page line the rules left out comes back (in page order) only
    when the model keeps it. With no override the result is the rules' own."""
    paragraphs = [_table_row_text(p) for p in rules.body.split("\n\n") if p]
    paragraphs = [p for p in paragraphs if p]
    para_keys = [normalise_line(p) for p in paragraphs]
    rows = [set(filter(None, (normalise_line(cell) for cell in p.split(_CELL_GAP)))) if _CELL_GAP in p else set() for p in paragraphs]
    inside: dict[int, list[int]] = {j: [] for j in range(len(paragraphs))}
    for i, ((_, line), verdict) in enumerate(zip(page.lines, page.verdicts)):
        key = normalise_line(line)
        if not key:
            continue
        # A table row is matched cell by cell, whatever the page-level verdict of a cell.
        j = next((j for j, cells in enumerate(rows) if key in cells), None)
        if j is None and verdict is None:
            j = next((j for j, pk in enumerate(para_keys) if key == pk or (len(key.split()) >= 3 and key in pk)), None)
        if j is not None:
            inside[j].append(i)
    order: list[tuple[float, str]] = []
    removed = list(rules.removed)
    last = -1.0
    for j, paragraph in enumerate(paragraphs):
        lines = inside[j]
        if lines and not any(keep[i] for i in lines):
            no, _ = page.lines[lines[0]]
            removed.append(RemovedLine(no, paragraph, "line_model"))
            continue
        last = max(float(lines[0]), last + 1e-3) if lines else last + 1e-3  # never reorder the extractor's text
        order.append((last, paragraph))
    recovered = {
        i for i, (kept, verdict) in enumerate(zip(keep, page.verdicts))
        if kept and verdict not in (None, "headline") and verdict not in FINAL_REASONS
    }
    seen = set(para_keys) | {normalise_line(rules.title or "")}
    for i in sorted(recovered):
        no, line = page.lines[i]
        key = normalise_line(line)
        if key and key not in seen:
            order.append((i - 0.5, line))
            seen.add(key)
    recovered_nos = {page.lines[i][0] for i in recovered}
    removed = [r for r in removed if not (r.reason == "not_main_content" and r.line_no in recovered_nos)]
    body = [text for _, text in sorted(order, key=lambda item: item[0])]
    return replace(rules, body="\n\n".join(body), removed=tuple(removed))
