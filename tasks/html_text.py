"""Flatten an HTML page to text, one block element per line, nothing else removed.

This is what a scraper that keeps site chrome produces; cleanup compares it with the main
text the extractor keeps to record which page blocks were dropped, and language
detection reads it instead of markup.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# Elements whose content is never visible text.
INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
# Elements that start a new line of text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul title".split()
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_lines(html: str) -> list[str]:
    """Return the visible text of `html` as a list of non-empty block lines (markup errors tolerated)."""
    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    for hidden in list(root.iter(*INVISIBLE)):  # a list: dropping while iterating skips nodes
        if hidden.getparent() is not None:
            hidden.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    parts: list[str] = []
    _walk(root, parts)
    text = "".join(parts)
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in text.split("\n")) if line]


def _walk(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    is_block = tag.lower() in BLOCK_TAGS
    if is_block:
        parts.append("\n")
    if element.text:
        parts.append(element.text.replace("\n", " "))
    for child in element:
        _walk(child, parts)
    if is_block:
        parts.append("\n")
    if element.tail:
        parts.append(element.tail.replace("\n", " "))
