"""List shape: runs of lines of one template (tour dates, standings, numbered lists) that belong to the body."""

from __future__ import annotations

import re

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.cleanup.line_signals import is_chrome_line

# A list right after the last paragraph belongs to the article (tour dates, standings,
# specs) when it has this many items of one template, each at most LIST_ITEM_MAX_WORDS
# words, under at most a LIST_HEADING_MAX_WORDS heading (scrapinghub: billboard,
# rollingstone, cbssports).
LIST_MIN_ITEMS = 3
LIST_ITEM_MAX_WORDS = 20
LIST_HEADING_MAX_WORDS = 10
_NUMBERED_ITEM = re.compile(r"^\W{0,2}(\d{1,3})\s*[).:–-]\s+\S")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"\s(--|[–—-])\s|:\s|\s@\s|\s\(|\s\|\s|•")


def list_shape(line: str, count: int) -> tuple[str, str] | None:
    """The template of a list item — what its first token is (number, month, word) and
    the first separator it uses (" – ", ": ", " @ ", " (", " | ", "•") — or None for a
    line that is too long or has no separator."""
    if count > LIST_ITEM_MAX_WORDS or _URL.search(line):  # "Listen: https://…" lines are links
        return None
    separator = _LIST_SEPARATOR.search(line)
    if not separator:
        return None
    first = line.split()[0]
    kind = "number" if first[0].isdigit() else "month" if ph.DATE_LINE.match(line) else "word"
    return kind, separator.group().strip()


def list_items(lines, n_words) -> set[int]:
    """Return the line numbers of list items: runs of at least LIST_MIN_ITEMS consecutive
    lines of one `list_shape`."""
    items: set[int] = set()
    run: list[int] = []
    shape = None
    for no, line in [*lines, (None, "")]:
        current = list_shape(line, n_words[no]) if no is not None else None
        if current is not None and current == shape:
            run.append(no)
            continue
        if len(run) >= LIST_MIN_ITEMS:
            items.update(run)
        run, shape = ([no], current) if current is not None else ([], None)
    return items


def _numbered_list_end(after: list[tuple[int, str]]) -> int | None:
    """If `after` starts with a numbered list — items "1) …", "2) …" (or "1." / "1 –")
    counting up, at most two other lines (a link, a note) after each — return the line
    number where it ends, else None."""
    expected, items, last, between, gaps = None, 0, None, 0, []
    for no, line in after:
        match = _NUMBERED_ITEM.match(line)
        number = int(match.group(1)) if match else None
        if number is not None and (number == expected or (expected is None and number in (0, 1))):
            if items:
                gaps.append(between)
            expected, items, last, between = number + 1, items + 1, no, 0
            continue
        if expected is None:
            return None
        between += 1
        if between > 2:
            break
    if items < LIST_MIN_ITEMS:
        return None
    # The lines that followed every item (a link each) follow the last one too.
    trailing = min(gaps) if gaps else 0
    numbers = [no for no, _ in after]
    position = numbers.index(last)
    return numbers[min(position + trailing, len(numbers) - 1)]


def list_after_body(lines, n_words, prose, body_end: int | None) -> int | None:
    """Return the body's last line, moved past a list that directly follows the last
    paragraph (tour dates, standings, a spec sheet): an optional short heading, then at
    least LIST_MIN_ITEMS consecutive lines of one template (`list_shape`), no chrome."""
    if body_end is None:
        return None
    after = [(no, line) for no, line in lines if no > body_end]
    first_is_item = after and (list_shape(after[0][1], n_words[after[0][0]]) or _NUMBERED_ITEM.match(after[0][1]))
    if after and not first_is_item and n_words[after[0][0]] <= LIST_HEADING_MAX_WORDS:
        heading = after[0][1]
        if is_chrome_line(heading):
            return body_end
        after = after[1:]
    numbered = _numbered_list_end(after)
    if numbered is not None:
        return numbered
    shape = list_shape(after[0][1], n_words[after[0][0]]) if after else None
    if shape is None:
        return body_end
    items = []
    for no, line in after:
        if no in prose or is_chrome_line(line) or list_shape(line, n_words[no]) != shape:
            break
        items.append(no)
    return items[-1] if len(items) >= LIST_MIN_ITEMS else body_end
